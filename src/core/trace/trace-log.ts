import type { Clock } from '../ports.ts';
import { createRingBuffer } from './ring-buffer.ts';
import type { TraceStep } from './ports.ts';

/** A step as kept: when, in milliseconds after its trace began. */
export type RecordedStep = TraceStep & { atMs: number };

/** One request (or one piece of background work) and every step recorded while it ran. */
export interface Trace {
  /** Increasing, so a client that reconnects can tell what it has seen. */
  seq: number;
  /** The browser or client it came from (the inspector's flow cookie); never derived from a secret. */
  flowId: string;
  /** e.g. `POST /login`, or `background` for work outside a request. */
  label: string;
  startedAtMs: number;
  durationMs: number;
  /** The HTTP status, or null for background work. */
  status: number | null;
  steps: RecordedStep[];
  /** Steps left out past the per-trace limit. */
  droppedSteps: number;
}

export interface TraceLogLimits {
  /** Traces kept; the oldest is forgotten first. */
  traces: number;
  /** Steps kept per trace; later ones are counted, not kept. */
  stepsPerTrace: number;
  /** Live listeners (the inspector's stream); more are refused. */
  listeners: number;
}

export const defaultTraceLogLimits: TraceLogLimits = Object.freeze({ traces: 200, stepsPerTrace: 150, listeners: 16 });

export interface TraceLog {
  readonly clock: Clock;
  readonly limits: TraceLogLimits;
  /** Takes a finished trace: kept in the ring buffer and sent to every listener. */
  add(trace: Omit<Trace, 'seq'>): Trace;
  /** Up to `limit` traces, newest first. */
  list(limit: number): Trace[];
  /** Calls `listener` with each new trace; returns the unsubscribe function, or null when the listener limit is reached. */
  subscribe(listener: (trace: Trace) => void): (() => void) | null;
}

/**
 * The inspector's memory: the last `limits.traces` traces and the live listeners. Bounded in
 * every direction (traces, steps per trace, listeners), so leaving it on costs a fixed amount.
 *
 * @example
 * const log = createTraceLog(systemClock);
 * log.subscribe((trace) => console.log(trace.label));
 */
export function createTraceLog(clock: Clock, limits: TraceLogLimits = defaultTraceLogLimits): TraceLog {
  const buffer = createRingBuffer<Trace>(limits.traces);
  const listeners = new Set<(trace: Trace) => void>();
  let seq = 0;
  return {
    clock,
    limits,
    add(finished) {
      seq += 1;
      const trace: Trace = { ...finished, seq };
      buffer.push(trace);
      for (const listener of listeners) listener(trace);
      return trace;
    },
    list: (limit) => buffer.newestFirst(limit),
    subscribe(listener) {
      if (listeners.size >= limits.listeners) return null;
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
