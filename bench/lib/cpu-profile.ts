import { readFileSync } from 'node:fs';

/** Self time per function and per package from a `node --cpu-prof` .cpuprofile file. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Total minus (idle): time the main thread was doing something. */
  busyMs: number;
  functions: SelfTime[];
  /** Self plus callees, each function counted once per stack (recursion is not double counted). */
  inclusive: SelfTime[];
  /** Grouped by where the code lives: a package, node: internals, src/..., bench/..., or a V8 bucket. */
  groups: { group: string; selfMs: number }[];
}

const special = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function groupOf(url: string, functionName: string): string {
  if (special.has(functionName) && url === '') return functionName;
  if (url === '') return '(native / V8 builtins)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch !== null) return packageMatch[1] as string;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const srcMatch = /\/(src|bench)\/(.+)$/.exec(url);
  if (srcMatch !== null) return `${srcMatch[1] as string}/${srcMatch[2] as string}`;
  return url;
}

function shortUrl(url: string): string {
  const packageMatch = /node_modules\/(.+)$/.exec(url);
  if (packageMatch !== null) return packageMatch[1] as string;
  const srcMatch = /\/((?:src|bench)\/.+)$/.exec(url);
  return srcMatch !== null ? (srcMatch[1] as string) : url;
}

export interface ProfileWindow {
  /** Monotonic clock, microseconds (process.hrtime in the profiled process). */
  fromMicros: number;
  toMicros: number;
}

/**
 * Summarizes a profile, counting only samples inside `window` when given (so start-up and
 * module loading do not dilute the steady state). `windowApplied` is false when the window
 * does not fall inside the profile (a clock mismatch) and everything was counted.
 */
export function summarizeProfile(path: string, window?: ProfileWindow): ProfileSummary & { windowApplied: boolean } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const windowApplied = window !== undefined && window.fromMicros >= profile.startTime && window.toMicros <= profile.endTime;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMsById = new Map<number, number>();
  // timeDeltas[i] is the time from sample i-1 to sample i; charge it to sample i's frame.
  let atMicros = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    const id = profile.samples[i] as number;
    atMicros += profile.timeDeltas[i] ?? 0;
    if (windowApplied && (atMicros < (window as ProfileWindow).fromMicros || atMicros > (window as ProfileWindow).toMicros)) continue;
    const deltaMs = (profile.timeDeltas[i] ?? 0) / 1000;
    selfMsById.set(id, (selfMsById.get(id) ?? 0) + Math.max(0, deltaMs));
  }
  const functions = new Map<string, SelfTime>();
  const groups = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const [id, selfMs] of selfMsById) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    totalMs += selfMs;
    if (frame.functionName === '(idle)') idleMs += selfMs;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const where = frame.url === '' ? '' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${name}@${where}`;
    const entry = functions.get(key) ?? { name, where, selfMs: 0 };
    entry.selfMs += selfMs;
    functions.set(key, entry);
    const group = groupOf(frame.url, frame.functionName);
    groups.set(group, (groups.get(group) ?? 0) + selfMs);
  }
  // Inclusive time: walk the call tree once, charging each node's self time to every distinct
  // function on its stack.
  const inclusive = new Map<string, SelfTime>();
  const root = profile.nodes[0];
  const onStack = new Set<string>();
  const walk = (node: ProfileNode): number => {
    const frame = node.callFrame;
    const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
    const where = frame.url === '' ? '' : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${name}@${where}`;
    const outermost = !onStack.has(key);
    if (outermost) onStack.add(key);
    let subtotal = selfMsById.get(node.id) ?? 0;
    for (const childId of node.children ?? []) subtotal += walk(byId.get(childId) as ProfileNode);
    if (outermost) {
      onStack.delete(key);
      const entry = inclusive.get(key) ?? { name, where, selfMs: 0 };
      entry.selfMs += subtotal;
      inclusive.set(key, entry);
    }
    return subtotal;
  };
  if (root !== undefined) walk(root);

  return {
    windowApplied,
    totalMs,
    busyMs: totalMs - idleMs,
    functions: [...functions.values()].sort((a, b) => b.selfMs - a.selfMs),
    inclusive: [...inclusive.values()].sort((a, b) => b.selfMs - a.selfMs),
    groups: [...groups.entries()].map(([group, selfMs]) => ({ group, selfMs })).sort((a, b) => b.selfMs - a.selfMs),
  };
}
