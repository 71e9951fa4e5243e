/**
 * Messages between bench/run.ts and its children over the IPC channel. Every child is long-lived
 * (started once, pinned once) and answers requests by `id`, so one helper drives them all.
 */

export interface CpuTimes {
  /** process.cpuUsage(): the whole process, every thread (the libuv pool included). */
  userMicros: number;
  systemMicros: number;
  /** process.hrtime (CLOCK_MONOTONIC), the clock V8 stamps .cpuprofile samples with on Linux. */
  monotonicMicros: number;
}

/** The bare argon2id hash rate, measured inside a child pinned like the server. */
export interface HashRunRequest {
  durationSeconds: number;
  concurrency: number;
  memoryKiB: number;
  passes: number;
  parallelism: number;
  passwordLength: number;
}

export interface HashRunResult {
  hashes: number;
  elapsedSeconds: number;
  perSecond: number;
}

export type ParentMessage =
  | { type: 'cpu'; id: number }
  | { type: 'run'; id: number; request: HashRunRequest }
  | { type: 'stop'; id: number };

export type ChildMessage =
  | { type: 'ready'; port: number | null }
  | { type: 'cpu'; id: number; cpu: CpuTimes }
  | { type: 'result'; id: number; result: HashRunResult }
  | { type: 'stopped'; id: number }
  | { type: 'error'; id: number | null; message: string };

export function cpuTimes(): CpuTimes {
  const usage = process.cpuUsage();
  return { userMicros: usage.user, systemMicros: usage.system, monotonicMicros: Number(process.hrtime.bigint() / 1000n) };
}
