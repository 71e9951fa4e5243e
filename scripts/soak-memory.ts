// What a process's resident memory is made of (`npm run soak` prints it at the start and the end):
// /proc/self/smaps sorted into the node binary's pages, shared libraries, glibc's main arena
// ([heap]) and its per-thread arenas, and the other anonymous mappings, of which V8's heap is
// one part (its committed physical size per space, from v8.getHeapSpaceStatistics) and the rest
// is native memory mapped on its own (mmapped malloc blocks, worker isolates, thread stacks).
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

export interface MemoryBreakdown {
  rssKiB: number;
  /** Resident KiB by mapping class. */
  classes: Record<string, number>;
  /** V8's committed physical memory, KiB, by space (the spaces above 0). */
  v8Spaces: Record<string, number>;
  /** process.memoryUsage(), bytes. */
  usage: NodeJS.MemoryUsage;
}

/** glibc's per-thread arenas live in heaps aligned to their maximum size (64 MiB on 64-bit). */
const arenaHeapBytes = 64n * 1024n * 1024n;

export function memoryBreakdown(): MemoryBreakdown {
  const classes: Record<string, number> = {};
  const add = (name: string, kib: number): void => void (classes[name] = (classes[name] ?? 0) + kib);
  let current: { name: string; perms: string; start: bigint; end: bigint } | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping !== null) {
      current = { start: BigInt(`0x${mapping[1]}`), end: BigInt(`0x${mapping[2]}`), perms: mapping[3] as string, name: mapping[4] as string };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss === null || current === undefined) continue;
    add(classify(current), Number(rss[1]));
  }
  const v8Spaces: Record<string, number> = {};
  for (const space of getHeapSpaceStatistics()) if (space.physical_space_size > 0) v8Spaces[space.space_name] = Math.round(space.physical_space_size / 1024);
  const v8KiB = Object.values(v8Spaces).reduce((a, b) => a + b, 0);
  // V8's pages are anonymous mappings of their own: the rest of that class is native memory.
  const anonymous = classes['anonymous mappings'] ?? 0;
  delete classes['anonymous mappings'];
  classes['V8 heap (committed, physical)'] = v8KiB;
  classes['other anonymous mappings (native)'] = anonymous - v8KiB;
  const rssKiB = Object.values(classes).reduce((a, b) => a + b, 0);
  return { rssKiB, classes, v8Spaces, usage: process.memoryUsage() };
}

function classify(m: { name: string; perms: string; start: bigint; end: bigint }): string {
  if (m.name === '[heap]') return 'glibc main arena ([heap])';
  if (m.name.startsWith('[stack')) return 'main thread stack';
  if (m.name.startsWith('/')) {
    if (m.name === process.execPath || m.name.endsWith('/bin/node')) return m.perms.includes('x') ? 'node binary: code' : 'node binary: data';
    return 'shared libraries and addons';
  }
  if (m.name !== '') return 'other';
  if (m.start % arenaHeapBytes === 0n && m.end - m.start <= arenaHeapBytes) return 'glibc thread arenas';
  return 'anonymous mappings';
}

/** The breakdown as lines of text, largest class first. */
export function renderBreakdown(b: MemoryBreakdown): string[] {
  const mb = (kib: number): string => (kib / 1024).toFixed(1).padStart(7);
  const lines = Object.entries(b.classes)
    .filter(([, kib]) => kib >= 512)
    .sort((x, y) => y[1] - x[1])
    .map(([name, kib]) => `  ${mb(kib)} MB  ${name}`);
  lines.push(`  ${mb(b.rssKiB)} MB  resident in all`);
  lines.push(`  V8 spaces (MB): ${Object.entries(b.v8Spaces).map(([name, kib]) => `${name.replace(/_space$/, '')} ${(kib / 1024).toFixed(1)}`).join(', ')}`);
  const u = b.usage;
  lines.push(`  memoryUsage (MB): heapTotal ${(u.heapTotal / 1_048_576).toFixed(1)}, heapUsed ${(u.heapUsed / 1_048_576).toFixed(1)}, external ${(u.external / 1_048_576).toFixed(1)}, arrayBuffers ${(u.arrayBuffers / 1_048_576).toFixed(1)}`);
  return lines;
}
