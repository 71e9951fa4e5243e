import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * How busy each core was, from /proc/stat (Linux only; elsewhere every function here returns
 * null and the benchmark runs without the check). The machines are shared: another process on
 * the server's core takes cycles from the server and skews a ratio, so each run reports how much
 * of its cores other processes used.
 */

export interface CoreSnapshot {
  atMs: number;
  /** Per core name (`cpu0`, `cpu1`, and `cpu` for all): busy and total jiffies. */
  cores: Map<string, { busy: number; total: number }>;
}

export function snapshotCores(): CoreSnapshot | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const cores = new Map<string, { busy: number; total: number }>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const [name, ...fields] = line.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
    const n = fields.slice(0, 8).map(Number);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    const total = n.reduce((sum, x) => sum + x, 0);
    cores.set(name as string, { busy: total - idle, total });
  }
  return { atMs: performance.now(), cores };
}

/** Share of `core` (0..1) that was busy between two snapshots, whoever used it. */
export function busyShare(before: CoreSnapshot | null, after: CoreSnapshot | null, core: string): number | null {
  const a = before?.cores.get(core);
  const b = after?.cores.get(core);
  if (a === undefined || b === undefined || b.total <= a.total) return null;
  return (b.busy - a.busy) / (b.total - a.total);
}

/**
 * Waits (up to `maxSeconds`) for the machine to go quiet: less than `threshold` of its CPUs
 * busy over one second. Returns the last busy share seen, or null without /proc/stat.
 */
export async function waitForQuiet(maxSeconds: number, threshold: number, onWait: (busy: number) => void): Promise<number | null> {
  const deadline = performance.now() + maxSeconds * 1000;
  for (;;) {
    const before = snapshotCores();
    await sleep(1000);
    const busy = busyShare(before, snapshotCores(), 'cpu');
    if (busy === null || busy < threshold || performance.now() >= deadline) return busy;
    onWait(busy);
  }
}
