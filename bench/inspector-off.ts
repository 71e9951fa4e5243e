import { parseArgs } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDir, detectPinning, pinRunning, startChild, type ChildHandle, type Pinning } from './lib/children.ts';
import { contentionThreshold, othersShare } from './lib/benchmarks.ts';
import { snapshotCores } from './lib/cpu-stat.ts';
import type { CpuTimes } from './lib/protocol.ts';
import { prepareGatehouse } from './lib/gatehouse-client.ts';
import { equivalenceVerdict, seededRandom, summariseSets, type SetSummary } from './lib/paired-stats.ts';
import { median, renderTable } from './lib/report.ts';

/**
 * "Inspector off" (issue 15, PERF.md): the session check with the inspector off (the no-op
 * recorder wired into the core, as production runs) must be within 2% of the same build with no
 * recorder wired in at all. A 2% difference is far below what two 5-second req/s runs on this
 * machine can tell apart (they move 10-20% between rounds), so this row is measured its own way:
 *
 * - a set is three fresh servers: "off" (the subject), "unwired" (the baseline,
 *   BENCH_INSPECTOR=unwired) and a second "unwired" (the A/A control: two identical servers
 *   measured the same way). They take the same session-check load at once in short windows (they
 *   share the server core, so whatever slows the machine in that window slows all three alike);
 *   the figure is each server's CPU time per request (process.cpuUsage, every thread), and each
 *   window gives a paired ratio, baseline CPU over subject CPU (1.00 = the same cost, 0.98 = the
 *   subject costs 2% more; the baseline is the geometric mean of both unwired servers). A set's ratio is
 *   the median of its windows';
 * - fresh processes differ from one another by a few percent (JIT and GC timing, memory layout),
 *   more than one set's windows can show: one set's A/A control read 0.978 to 1.041 over runs,
 *   and a deliberate 3% cost once read 0.999. So a run is several sets, each of new processes,
 *   and the result is the geometric mean of the sets' ratios with a 90% t interval ACROSS sets;
 * - what else differs between the three is balanced or randomised in every set: the order they
 *   are started in (shuffled), their ports (each picks a free one), the size of their
 *   environment (BENCH_INSPECTOR is `default` or `unwired`, the same length), and which one the
 *   load generator starts first in a window (each of the six orders equally often, shuffled);
 * - servers start on every core (start-up is most of a set's time) and are pinned to the
 *   server core before they are measured; they share one compile cache, as `gatehouse serve`
 *   keeps one;
 * - the verdict is an equivalence test: pass when the 90% interval lies wholly within
 *   0.98..1.02 (two one-sided tests at 5%); miss when it lies wholly outside; otherwise
 *   inconclusive, never a silent pass. A pass or miss stands only when the A/A control's interval
 *   holds 1.000 and at least half the windows were clean (a machine others load heavily moved
 *   one run to 1.040 with every set above 1); otherwise the result is inconclusive and says what
 *   the interval alone would read.
 *
 * What it showed on a machine others kept loaded (load 5 to 20, so 0 to 37 of 96 windows clean):
 * with nothing added, runs read 0.998 to 1.012 with 90% intervals about +-2% wide (inconclusive,
 * as they should be when busy); a deliberate cost on the "off" server only (a local experiment,
 * never landed) that raised its CPU per request by about 4% read 0.961 (0.941..0.982), and by
 * about 9% read 0.91 to 0.92, intervals wholly below 0.98 (held back as inconclusive only by the
 * busy machine or the A/A check). Never a pass.
 *
 * `npm run bench` runs it after the main rounds (about 90 s); `node bench/inspector-off.ts`
 * runs it alone (`--repeat N` for N runs and their sets pooled, `--sets`, `--windows`).
 */

export const inspectorOffBounds = { low: 0.98, high: 1.02 };
/** Sets of fresh servers in `npm run bench`'s run. */
export const inspectorOffSets = 8;
const defaults = { windowsPerSet: 12, windowSeconds: 0.5, warmupSeconds: 1.5, connections: 16 } as const;
/** Fewer sets than this cannot give an interval across processes worth a verdict. */
const minimumSets = 5;

type Role = 'off' | 'unwired' | 'control';
const roles: readonly Role[] = ['off', 'unwired', 'control'];
const labels: Record<Role, string> = {
  off: 'session check, inspector off (no-op recorder)',
  unwired: 'session check, no recorder wired in',
  control: 'session check, no recorder wired in (second process, A/A control)',
};
/** BENCH_INSPECTOR per role (bench/servers/gatehouse.ts): values of one length, so every server's environment is the same size. */
const inspectorEnv: Record<Role, string> = { off: 'default', unwired: 'unwired', control: 'unwired' };

export interface InspectorOffOptions {
  pinning: Pinning;
  sets: number;
  windowsPerSet: number;
  windowSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Requests per second over all connections; unset, as fast as each server answers (as the session-check row). */
  rate?: number;
  /** Seeds the shuffles (start order, window orders), printed so a run can be repeated. */
  seed: number;
}

interface Window {
  set: number;
  order: Role[];
  role: Role;
  cpuMicrosPerRequest: number;
  /** The user-mode part alone (the kernel's share, e.g. loopback TCP, is the same work on every server). */
  userMicrosPerRequest: number;
  perSecond: number;
  contended: boolean;
}

interface SetResult {
  set: number;
  startOrder: Role[];
  ports: Record<Role, number>;
  /** Windows kept, and dropped (a window got no answer or socket errors: a machine too busy to serve). */
  windows: number;
  dropped: number;
  clean: number;
  /** Medians of the per-window ratios: baseline CPU over off's, unwired over control, off's req/s over the baseline's. */
  cost: number;
  control: number;
  throughput: number;
  /** Wall time of its phases: start-up, preparing (an account and a session on each), measuring (warm-up and windows). */
  seconds: { start: number; prepare: number; measure: number };
}

export interface InspectorOffResult {
  settings: Omit<InspectorOffOptions, 'pinning'>;
  sets: SetResult[];
  windows: Window[];
  /** Per role: median CPU us per request and median req/s over every window. */
  perRole: Record<Role, { cpuMicrosPerRequest: number; perSecond: number }>;
  /** Over the sets: geometric mean and 90% t interval. */
  cost: SetSummary;
  control: SetSummary;
  throughput: SetSummary;
  result: 'pass' | 'miss' | 'inconclusive';
  why: string;
}

/** Every order of the three roles. */
const orders: readonly (readonly Role[])[] = [
  ['off', 'unwired', 'control'],
  ['unwired', 'control', 'off'],
  ['control', 'off', 'unwired'],
  ['control', 'unwired', 'off'],
  ['off', 'control', 'unwired'],
  ['unwired', 'off', 'control'],
];

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Three fresh servers started at once in `startOrder`, on every core, then pinned to the server core. */
async function startServers(pinning: Pinning, startOrder: readonly Role[], set: number, compileCache: string): Promise<Record<Role, ChildHandle>> {
  const started = await Promise.allSettled(
    startOrder.map((role) =>
      startChild({
        name: `gatehouse server (${role}, set ${String(set + 1)})`,
        script: 'servers/gatehouse.ts',
        core: null,
        readyTimeoutMs: 60_000,
        env: { ...process.env, BENCH_COUNT_REQUESTS: '1', BENCH_INSPECTOR: inspectorEnv[role], NODE_COMPILE_CACHE: compileCache },
      }),
    ),
  );
  const all = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  try {
    if (failed !== undefined) throw failed.reason;
    for (const child of all) pinRunning(child.pid, pinning.serverCore);
  } catch (error) {
    await Promise.all(all.map((child) => child.stop()));
    throw error;
  }
  return Object.fromEntries(startOrder.map((role, i) => [role, all[i] as ChildHandle])) as Record<Role, ChildHandle>;
}

/** The measurement's state across sets: the load child, and its CPU time at the last window (its share of the load core). */
interface Loader {
  child: ChildHandle;
  cpuSeconds: number | null;
}

/** One window: a load on each server of `order` at once, each server's CPU per answered request (null: starved). */
async function measureWindow(options: InspectorOffOptions, loader: Loader, servers: Record<Role, ChildHandle>, cookies: Record<Role, string>, order: readonly Role[], seconds: number): Promise<Omit<Window, 'set'>[] | null> {
  const { pinning, connections, rate } = options;
  const before = await Promise.all(order.map((role) => servers[role].cpu()));
  const coresBefore = snapshotCores();
  const result = await loader.child.run({
    kind: 'http',
    durationSeconds: seconds,
    loads: order.map((role) => ({ url: `http://127.0.0.1:${String(servers[role].port)}/v1/session`, connections, method: 'GET' as const, headers: { cookie: cookies[role] }, ...(rate === undefined ? {} : { overallRate: rate }) })),
  });
  const coresAfter = snapshotCores();
  const after = await Promise.all(order.map((role) => servers[role].cpu()));
  const used = order.map((_, i) => {
    const [b, a] = [before[i] as CpuTimes, after[i] as CpuTimes];
    return { micros: a.userMicros - b.userMicros + a.systemMicros - b.systemMicros, userMicros: a.userMicros - b.userMicros };
  });
  const loadCpu = result.processCpuSeconds ?? 0;
  const loadUsed = loader.cpuSeconds === null ? null : loadCpu - loader.cpuSeconds;
  loader.cpuSeconds = loadCpu;
  const onServer = othersShare(coresBefore, coresAfter, pinning.serverCore, used.reduce((sum, u) => sum + u.micros, 0) / 1e6);
  const onLoad = loadUsed === null ? null : othersShare(coresBefore, coresAfter, pinning.loadCore, loadUsed);
  const contended = (onServer ?? 0) > contentionThreshold || (onLoad ?? 0) > contentionThreshold;
  const taken = order.map((role, i) => {
    const each = result.each?.[i] ?? { operations: 0, perSecond: 0, failed: 0, errors: 0 };
    // A refusal is a broken setup: the whole measurement is invalid.
    if (each.failed > 0) throw new Error(`${labels[role]}: ${String(each.failed)} answers that were not 2xx`);
    const { micros, userMicros } = used[i] as { micros: number; userMicros: number };
    return each.errors > 0 || each.operations === 0 ? null : { order: [...order], role, cpuMicrosPerRequest: micros / each.operations, userMicrosPerRequest: userMicros / each.operations, perSecond: each.perSecond, contended };
  });
  return taken.some((w) => w === null) ? null : (taken as Omit<Window, 'set'>[]);
}

/** One set: three fresh servers, a short warm-up, `windowsPerSet` windows in a shuffled balanced order, then stopped. */
async function measureSet(options: InspectorOffOptions, loader: Loader, set: number, random: () => number, compileCache: string): Promise<{ result: SetResult; windows: Window[] }> {
  const startOrder = shuffle(roles, random);
  const t0 = performance.now();
  const servers = await startServers(options.pinning, startOrder, set, compileCache);
  const t1 = performance.now();
  try {
    const cookies = Object.fromEntries(
      await Promise.all(roles.map(async (role) => [role, (await prepareGatehouse(`http://127.0.0.1:${String(servers[role].port)}`, 1, 24)).sessionCookie] as const)),
    ) as Record<Role, string>;
    const t2 = performance.now();
    // Warm-up (discarded): all three, in the start order and then reversed.
    for (const order of [startOrder, [...startOrder].reverse()]) await measureWindow(options, loader, servers, cookies, order, options.warmupSeconds / 2);
    const schedule = shuffle(
      Array.from({ length: options.windowsPerSet }, (_, i) => orders[i % orders.length] as readonly Role[]),
      random,
    );
    const windows: Window[] = [];
    let dropped = 0;
    for (const order of schedule) {
      const taken = await measureWindow(options, loader, servers, cookies, order, options.windowSeconds);
      if (taken === null) dropped += 1;
      else windows.push(...taken.map((w) => ({ set, ...w })));
    }
    const kept = windows.length / roles.length;
    const of = (i: number, role: Role): Window => windows.filter((w) => w.role === role)[i] as Window;
    const each = Array.from({ length: kept }, (_, i) => ({ off: of(i, 'off'), unwired: of(i, 'unwired'), control: of(i, 'control') }));
    const ratio = (pick: (w: (typeof each)[number]) => number): number => median(each.map(pick));
    return {
      windows,
      result: {
        set,
        startOrder,
        ports: Object.fromEntries(roles.map((role) => [role, servers[role].port])) as Record<Role, number>,
        windows: kept,
        dropped,
        clean: each.filter((w) => !w.off.contended).length,
        // The baseline is the geometric mean of both unwired servers, not their mean: with noisy
        // windows (a loaded machine: 20-50% apart) the median of (u + c) / 2 / off leans above 1
        // (the mean of two skewed values sits above a single one's median; 1.04 in one run),
        // while sqrt(u * c) / off is as likely above as below, like the A/A control's u / c.
        cost: ratio((w) => Math.sqrt(w.unwired.cpuMicrosPerRequest * w.control.cpuMicrosPerRequest) / w.off.cpuMicrosPerRequest),
        control: ratio((w) => w.unwired.cpuMicrosPerRequest / w.control.cpuMicrosPerRequest),
        throughput: ratio((w) => w.off.perSecond / Math.sqrt(w.unwired.perSecond * w.control.perSecond)),
        seconds: { start: (t1 - t0) / 1000, prepare: (t2 - t1) / 1000, measure: (performance.now() - t2) / 1000 },
      },
    };
  } finally {
    await Promise.all(Object.values(servers).map((child) => child.stop()));
  }
}

/** Runs `options.sets` sets, one after another, with one load child for them all. */
export async function measureInspectorOff(options: InspectorOffOptions, onSet?: (set: SetResult) => void): Promise<InspectorOffResult> {
  const random = seededRandom(options.seed);
  const compileCache = mkdtempSync(join(tmpdir(), 'gatehouse-bench-compile-cache-'));
  const loader: Loader = { child: await startChild({ name: 'load generator', script: 'load/windows.ts', core: options.pinning.loadCore, readyTimeoutMs: 60_000 }), cpuSeconds: null };
  try {
    const sets: SetResult[] = [];
    const windows: Window[] = [];
    for (let set = 0; set < options.sets; set += 1) {
      const measured = await measureSet(options, loader, set, random, compileCache);
      // A set that lost half its windows to a starved machine says little: left out, and counted.
      if (measured.result.windows >= options.windowsPerSet / 2) windows.push(...measured.windows);
      sets.push(measured.result);
      onSet?.(measured.result);
    }
    return summarise(options, sets, windows);
  } finally {
    await loader.child.stop();
    rmSync(compileCache, { recursive: true, force: true });
  }
}

/** The verdict over sets, from the sets kept (at least half their windows). */
export function summarise(options: InspectorOffOptions | Omit<InspectorOffOptions, 'pinning'>, sets: SetResult[], windows: Window[]): InspectorOffResult {
  const { pinning: _pinning, ...settings } = options as InspectorOffOptions;
  const kept = sets.filter((s) => s.windows >= settings.windowsPerSet / 2);
  const cost = summariseSets(kept.map((s) => s.cost));
  const control = summariseSets(kept.map((s) => s.control));
  const throughput = summariseSets(kept.map((s) => s.throughput));
  const perRole = Object.fromEntries(
    roles.map((role) => {
      const mine = windows.filter((w) => w.role === role);
      return [role, { cpuMicrosPerRequest: median(mine.map((w) => w.cpuMicrosPerRequest)), perSecond: median(mine.map((w) => w.perSecond)) }];
    }),
  ) as Record<Role, { cpuMicrosPerRequest: number; perSecond: number }>;
  const costVerdict = equivalenceVerdict(cost, inspectorOffBounds, minimumSets);
  const centred = controlCentred(control);
  // The A/A control is two identical servers treated alike (start order and load order shuffled):
  // its interval should hold 1.000. If it does not, the method leans to one side (or chance gave
  // a 1-in-10 set of processes), and neither a pass nor a miss of the subject is trusted.
  // And a machine others keep busy moves the servers apart by more than the interval shows (one
  // run at load 20 read 1.040, every set above 1, with the A/A control centred): a verdict needs
  // at least half the windows clean (others used at most 10% of either measured core).
  const counted = kept.reduce((sum, s) => sum + s.windows, 0);
  const clean = kept.reduce((sum, s) => sum + s.clean, 0);
  const [result, why] =
    costVerdict.result === 'inconclusive'
      ? ([costVerdict.result, costVerdict.why] as const)
      : !centred.ok
        ? (['inconclusive', `the A/A control is off centre (${centred.why}); the interval alone would read ${costVerdict.result}`] as const)
        : clean * 2 < counted
          ? (['inconclusive', `the machine was busy: ${String(clean)} of ${String(counted)} windows clean; the interval alone would read ${costVerdict.result} (${costVerdict.why})`] as const)
          : ([costVerdict.result, costVerdict.why] as const);
  return { settings, sets, windows, perRole, cost, control, throughput, result, why };
}

/** The A/A control's check: its 90% interval over the sets holds 1.000 (two identical servers, no side favoured). */
function controlCentred(control: SetSummary): { ok: boolean; why: string } {
  const range = `${control.low.toFixed(3)}..${control.high.toFixed(3)}`;
  return control.low <= 1 && control.high >= 1 ? { ok: true, why: `interval ${range} holds 1.000` } : { ok: false, why: `interval ${range} does not hold 1.000` };
}

const interval = (s: SetSummary): string => `${s.low.toFixed(3)}..${s.high.toFixed(3)}`;

/** The table `npm run bench` prints for this row. */
export function renderInspectorOff(result: InspectorOffResult): string {
  const { cost, control, throughput, perRole, settings, sets } = result;
  const row = (role: Role, ratio: SetSummary | null, target: string, verdict: string): string[] => [
    labels[role],
    perRole[role].cpuMicrosPerRequest.toFixed(2),
    perRole[role].perSecond.toFixed(0),
    ratio === null ? '1 (ref)' : `${ratio.median.toFixed(3)}x`,
    ratio === null ? '-' : interval(ratio),
    ratio === null ? '-' : `${ratio.min.toFixed(3)}..${ratio.max.toFixed(3)}`,
    ratio === null ? '-' : `${(ratio.sd * 100).toFixed(1)}%`,
    target,
    verdict,
  ];
  const centred = controlCentred(control);
  const windows = sets.reduce((sum, s) => sum + s.windows, 0);
  const clean = sets.reduce((sum, s) => sum + s.clean, 0);
  const dropped = sets.reduce((sum, s) => sum + s.dropped, 0);
  const setsLeftOut = sets.length - cost.rounds;
  const lines = [
    renderTable(
      ['benchmark', 'CPU us/request', 'req/s', 'ratio (CPU)', '90% interval', 'sets (min..max)', 'sd of a set', 'target', 'result'],
      [row('unwired', null, '-', 'baseline'), row('off', cost, '0.98..1.02x', result.result), row('control', control, 'holds 1.000', `A/A: ${centred.ok ? 'centred' : 'OFF CENTRE'}`)],
      new Set([1, 2, 3, 4, 5, 6]),
    ),
    `  ${String(cost.rounds)} sets of three fresh servers${setsLeftOut > 0 ? ` (${String(setsLeftOut)} more left out: half their windows starved)` : ''}, each ${String(settings.windowsPerSet)} windows of ${String(settings.windowSeconds)} s after a ${String(settings.warmupSeconds)} s warm-up (${String(windows)} windows, ${String(clean)} clean${dropped > 0 ? `, ${String(dropped)} dropped: no answer` : ''}), ${String(settings.connections)} connections per server, ${settings.rate === undefined ? 'as fast as each server answers' : `${String(settings.rate)} req/s offered`}`,
    `  per set, off:  ${sets.map((s) => s.cost.toFixed(3)).join(' ')}`,
    `  per set, A/A:  ${sets.map((s) => s.control.toFixed(3)).join(' ')}`,
    '  ratio (CPU): server CPU per request of the baseline over this server\'s (1.000 = the same cost; 0.980 = 2% more), the three loaded at once in every window;',
    '  a set\'s ratio is the median over its windows; the figure is the geometric mean over the sets. The baseline of "inspector off" is the geometric mean of both',
    '  servers with no recorder; the A/A control is the second of them against the first. Start order, ports and the load order are shuffled per set.',
    '  90% interval: Student t over the sets (fresh processes each), so it covers how much fresh processes differ, not just one set\'s windows',
    '  result: pass when the 90% interval lies wholly within 0.98..1.02 (equivalence: two one-sided tests at 5%), miss when wholly outside,',
    '  else inconclusive; a pass or miss stands only if the A/A control\'s interval holds 1.000 (identical servers: else the method leans, or chance, 1 in 10)',
    '  and at least half the windows are clean (other processes used at most 10% of the server core and of the load core)',
    `  ${result.result}: ${result.why}; A/A: ${centred.why}, ${(control.sd * 100).toFixed(1)}% sd of a set (off: ${(cost.sd * 100).toFixed(1)}%)`,
    `  req/s ratio (off over the baseline, for information): ${throughput.median.toFixed(3)}x (${interval(throughput)}); seed ${String(settings.seed)}`,
  ];
  return lines.join('\n');
}

/**
 * `npm run bench`'s part: measures with the defaults, prints the table, writes
 * bench/results/inspector-off.json. A failed run (refused requests, a server that would not
 * start) is reported as INVALID instead of ending the whole bench.
 */
export async function inspectorOffTable(options: { pinning: Pinning; sets: number }): Promise<InspectorOffResult | { result: 'INVALID'; why: string }> {
  console.log(`\ninspector off: the session check with the no-op recorder against no recorder wired in (PERF.md: within 2%)`);
  const startedAt = Date.now();
  try {
    const result = await measureInspectorOff({ ...defaults, pinning: options.pinning, sets: options.sets, seed: Date.now() % 2 ** 31 });
    console.log(renderInspectorOff(result));
    mkdirSync(`${benchDir}results`, { recursive: true });
    writeFileSync(`${benchDir}results/inspector-off.json`, `${JSON.stringify({ finishedAt: new Date().toISOString(), pinning: options.pinning, ...result }, null, 2)}\n`);
    console.log(`  written to bench/results/inspector-off.json (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
    return result;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    console.log(`  INVALID: ${why}`);
    return { result: 'INVALID', why };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: String(inspectorOffSets) },
      windows: { type: 'string', default: String(defaults.windowsPerSet) },
      window: { type: 'string', default: String(defaults.windowSeconds) },
      warmup: { type: 'string', default: String(defaults.warmupSeconds) },
      connections: { type: 'string', default: String(defaults.connections) },
      rate: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      seed: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const pinning = detectPinning();
  console.log(`inspector off: ${pinning.description}`);
  const allSets: SetResult[] = [];
  const allWindows: Window[] = [];
  let settings: InspectorOffOptions | null = null;
  for (let run = 1; run <= Number(values.repeat); run += 1) {
    const startedAt = Date.now();
    settings = {
      pinning,
      sets: Number(values.sets),
      windowsPerSet: Number(values.windows),
      windowSeconds: Number(values.window),
      warmupSeconds: Number(values.warmup),
      connections: Number(values.connections),
      seed: values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed) + run - 1,
      ...(values.rate === undefined ? {} : { rate: Number(values.rate) }),
    };
    const result = await measureInspectorOff(settings, (set) => {
      if (values.verbose) console.log(`  set ${String(set.set + 1)}: off ${set.cost.toFixed(3)}, A/A ${set.control.toFixed(3)}, req/s ${set.throughput.toFixed(3)} (${String(set.windows)} windows, ${String(set.clean)} clean; started ${set.startOrder.join(', ')}; start ${set.seconds.start.toFixed(1)} s, prepare ${set.seconds.prepare.toFixed(1)} s, measure ${set.seconds.measure.toFixed(1)} s; ${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
    });
    console.log(`run ${String(run)} (${((Date.now() - startedAt) / 1000).toFixed(0)} s)`);
    console.log(renderInspectorOff(result));
    allSets.push(...result.sets.map((s) => ({ ...s, set: allSets.length + s.set })));
    allWindows.push(...result.windows);
  }
  if (settings === null) return;
  const pooled = summarise(settings, allSets, allWindows);
  if (Number(values.repeat) > 1) {
    console.log(`\nall ${String(values.repeat)} runs pooled (every set of every run):`);
    console.log(renderInspectorOff(pooled));
  }
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ finishedAt: new Date().toISOString(), pinning, ...pooled }, null, 2)}\n`);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`inspector-off FAILED: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
