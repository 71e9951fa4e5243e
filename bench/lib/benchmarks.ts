import { runLoad, type ChildHandle, type Pinning } from './children.ts';
import { busyShare, snapshotCores, type CoreSnapshot } from './cpu-stat.ts';
import type { CpuTimes, RunRequest } from './protocol.ts';
import { formatPercent, formatRate } from './report.ts';
import type { LoadOptions } from '../load/autocannon.ts';

/**
 * One benchmark = one way to take a sample: an HTTP load run against a server child, or a run
 * of the argon2id child. Every sample carries the server's CPU use and how much of the measured
 * cores other processes took, so a contended run can be told from a clean one.
 */

export interface Sample {
  round: number;
  warmUp: boolean;
  value: number;
  /** CPU the server (or hash child) used during the run, as a share of one core. */
  serverCpuShare: number;
  loadCpuShare: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /**
   * Share of the server's core (and, for HTTP, of the load generator's core) that other
   * processes used during the run; null when not pinned or without /proc/stat.
   */
  othersOnServerCore: number | null;
  othersOnLoadCore: number | null;
  /** Anything that makes the run not count: non-2xx responses, socket errors. */
  problems: string[];
}

/** Other processes using more than this share of a core we measure on make a run "contended". */
export const contentionThreshold = 0.1;

export function isContended(sample: Sample): boolean {
  return (sample.othersOnServerCore ?? 0) > contentionThreshold || (sample.othersOnLoadCore ?? 0) > contentionThreshold;
}

/** Others' share of `core`: everything busy on it minus what our own process used there. */
export function othersShare(before: CoreSnapshot | null, after: CoreSnapshot | null, core: string | null, ownCpuSeconds: number): number | null {
  if (core === null || before === null || after === null) return null;
  const busy = busyShare(before, after, `cpu${core}`);
  return busy === null ? null : Math.max(0, busy - ownCpuSeconds / ((after.atMs - before.atMs) / 1000));
}

function cpuSeconds(before: CpuTimes, after: CpuTimes): number {
  return (after.userMicros - before.userMicros + after.systemMicros - before.systemMicros) / 1e6;
}

/** CPU used between two readings as a share of one core (over the wall time between them). */
function cpuShare(before: CpuTimes, after: CpuTimes): number {
  return cpuSeconds(before, after) / ((after.monotonicMicros - before.monotonicMicros) / 1e6);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface Benchmark {
  key: string;
  label: string;
  unit: string;
  measure(seconds: number): Promise<Omit<Sample, 'round' | 'warmUp'>>;
}

export interface HttpBenchmarkOptions {
  key: string;
  label: string;
  server: ChildHandle;
  pinning: Pinning;
  load: Omit<LoadOptions, 'durationSeconds'>;
  /** Which cores other processes must leave alone for the run to count as uncontended. */
  watch: 'both-cores' | 'server-core';
  /** Runs before each measurement, outside its window (e.g. fresh refresh-token families); its result is merged into `load`. */
  prepare?: () => Promise<Partial<Omit<LoadOptions, 'durationSeconds'>>>;
}

export function httpBenchmark({ key, label, server, pinning, load, watch, prepare }: HttpBenchmarkOptions): Benchmark {
  return {
    key,
    label,
    unit: 'req/s',
    async measure(seconds) {
      const prepared = prepare === undefined ? {} : await prepare();
      const before = await server.cpu();
      const coresBefore = snapshotCores();
      const summary = await runLoad(pinning.loadCore, { ...load, ...prepared, durationSeconds: seconds });
      const coresAfter = snapshotCores();
      const after = await server.cpu();
      const problems: string[] = [];
      if (summary.non2xx > 0) problems.push(`${summary.non2xx} non-2xx responses (${JSON.stringify(summary.statusCodes)})`);
      if (summary.errors > 0) problems.push(`${summary.errors} socket errors/timeouts`);
      if (summary.ok === 0) problems.push('no successful responses');
      return {
        value: summary.okPerSecond,
        // Over the load window only: the server idles while the load generator starts.
        serverCpuShare: cpuSeconds(before, after) / summary.durationSeconds,
        loadCpuShare: summary.loadCpuShare,
        latencyP50Ms: summary.latencyP50Ms,
        latencyP99Ms: summary.latencyP99Ms,
        othersOnServerCore: othersShare(coresBefore, coresAfter, pinning.serverCore, cpuSeconds(before, after)),
        othersOnLoadCore: watch === 'server-core' ? null : othersShare(coresBefore, coresAfter, pinning.loadCore, summary.processCpuSeconds),
        problems,
      };
    },
  };
}

/** A computation in a child pinned to the server's core (the argon2id hash, jose signing, verifying). */
export function childBenchmark(key: string, label: string, unit: string, child: ChildHandle, pinning: Pinning, request: DistributiveOmit<RunRequest, 'durationSeconds'>): Benchmark {
  return {
    key,
    label,
    unit,
    async measure(seconds) {
      const before = await child.cpu();
      const coresBefore = snapshotCores();
      const result = await child.run({ ...request, durationSeconds: seconds } as RunRequest);
      const coresAfter = snapshotCores();
      const after = await child.cpu();
      return {
        value: result.perSecond,
        serverCpuShare: cpuShare(before, after),
        loadCpuShare: null,
        latencyP50Ms: null,
        latencyP99Ms: null,
        othersOnServerCore: othersShare(coresBefore, coresAfter, pinning.serverCore, cpuSeconds(before, after)),
        othersOnLoadCore: null,
        problems: result.operations === 0 ? ['no operation finished'] : [],
      };
    },
  };
}

export function describeSample(benchmark: Benchmark, sample: Sample): string {
  const name = sample.warmUp ? 'warm-up' : `run ${sample.round}`;
  const parts = [
    `  ${benchmark.label.padEnd(28)} ${name.padEnd(7)} ${formatRate(sample.value, benchmark.unit).padStart(16)}`,
    `server cpu ${formatPercent(sample.serverCpuShare).padStart(4)}`,
  ];
  if (sample.loadCpuShare !== null) parts.push(`autocannon cpu ${formatPercent(sample.loadCpuShare).padStart(4)}`);
  if (sample.latencyP50Ms !== null) parts.push(`p50 ${sample.latencyP50Ms} ms, p99 ${sample.latencyP99Ms} ms`);
  if (isContended(sample)) {
    const others = [
      sample.othersOnServerCore === null ? null : `${formatPercent(sample.othersOnServerCore)} of the server core`,
      sample.othersOnLoadCore === null ? null : `${formatPercent(sample.othersOnLoadCore)} of the load core`,
    ].filter((x) => x !== null);
    parts.push(`CONTENDED: other processes used ${others.join(' and ')}`);
  }
  if (sample.problems.length > 0) parts.push(`PROBLEM: ${sample.problems.join('; ')}`);
  return parts.join('  ');
}
