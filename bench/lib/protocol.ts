import type { LoadOptions } from '../load/load-options.ts';

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
  /** Requests the server has received so far, read at the same moment (servers started with BENCH_COUNT_REQUESTS=1 only). */
  requests?: number;
}

/** The bare argon2id verify rate of one implementation, measured inside a child pinned like the server. */
export interface HashRunRequest {
  kind: 'argon2id';
  implementation: 'node-rs' | 'node-crypto';
  durationSeconds: number;
  concurrency: number;
  memoryKiB: number;
  passes: number;
  parallelism: number;
  passwordLength: number;
}

/** The raw jose sign rate: access tokens shaped like Gatehouse's, `concurrency` in flight. */
export interface SignRunRequest {
  kind: 'jose-sign';
  durationSeconds: number;
  concurrency: number;
}

/**
 * The raw RSA-2048 (RS256) sign rate of an ID token shaped like Gatehouse's, signed the way the
 * server signs it (node:crypto, src/core/tokens/sign-jwt.ts), one at a time: the code flow
 * bench's ceiling row (bench/code-flow.ts).
 */
export interface RsaSignRunRequest {
  kind: 'rs256-sign';
  durationSeconds: number;
}

/** One in-process verify case (bench/lib/verify-cases.ts), for `durationSeconds`. */
export interface VerifyRunRequest {
  kind: 'verify';
  durationSeconds: number;
  verifyCase: 'sdk-seen' | 'sdk-never-seen' | 'jose-verify' | 'crypto-verify';
}

/** Passkey login verification (bench/baselines/passkeys.ts): the bare library call, or the server's whole step. */
export interface PasskeyRunRequest {
  kind: 'passkey-bare' | 'passkey-login' | 'passkey-login-session';
  durationSeconds: number;
}

/** One HTTP load window from the long-lived load child (bench/load/windows.ts): every load at once. */
export interface HttpRunRequest {
  kind: 'http';
  durationSeconds: number;
  loads: Omit<LoadOptions, 'durationSeconds'>[];
}

export type RunRequest = HashRunRequest | SignRunRequest | RsaSignRunRequest | VerifyRunRequest | PasskeyRunRequest | HttpRunRequest;

export interface RunResult {
  /** Operations finished inside the window. */
  operations: number;
  elapsedSeconds: number;
  perSecond: number;
  /** In-process rates that report it: the CPU of the thread that did the work over the window (process.threadCpuUsage), not of the whole process. */
  threadCpuSeconds?: number;
  /** HTTP windows: responses that were not 2xx, socket errors and timeouts. */
  failed?: number;
  /** HTTP windows: the CPU the load child used from its start (its own share of the load core). */
  processCpuSeconds?: number;
  /** HTTP windows: each load's own figures, in the order asked (failed: answers that were not 2xx; errors: socket errors and timeouts). */
  each?: { operations: number; perSecond: number; failed: number; errors: number }[];
}

export type ParentMessage =
  | { type: 'cpu'; id: number }
  | { type: 'run'; id: number; request: RunRequest }
  | { type: 'stop'; id: number };

export type ChildMessage =
  | { type: 'ready'; port: number | null; info?: Record<string, string> }
  | { type: 'cpu'; id: number; cpu: CpuTimes }
  | { type: 'result'; id: number; result: RunResult }
  | { type: 'stopped'; id: number }
  | { type: 'error'; id: number | null; message: string };

export function cpuTimes(): CpuTimes {
  const usage = process.cpuUsage();
  return { userMicros: usage.user, systemMicros: usage.system, monotonicMicros: Number(process.hrtime.bigint() / 1000n) };
}
