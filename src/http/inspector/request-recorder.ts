import { AsyncLocalStorage } from 'node:async_hooks';
import type { TraceRecorder, TraceStep } from '../../core/trace/ports.ts';
import type { RecordedStep, Trace, TraceLog } from '../../core/trace/trace-log.ts';

/** A trace being recorded: the request it belongs to has not been answered yet. */
export interface OpenTrace {
  flowId: string;
  label: string;
  startedAtMs: number;
  steps: RecordedStep[];
  droppedSteps: number;
}

/**
 * The recorder the inspector wires into the core when it is on. A step lands in the trace of the
 * request whose work recorded it (found through AsyncLocalStorage, so no operation passes a
 * request around), or in a trace of its own for work outside any request.
 */
export interface RequestRecorder extends TraceRecorder {
  readonly log: TraceLog;
  open(flowId: string, label: string): OpenTrace;
  /** Runs `work` so that every step it records, now or after an await, lands in `trace`. */
  run<T>(trace: OpenTrace, work: () => T): T;
  /** Appends a step to `trace` directly (the HTTP layer's own steps). */
  append(trace: OpenTrace, step: TraceStep): void;
  close(trace: OpenTrace, status: number | null): Trace;
  /** Runs `work` with nothing recorded: the comparison's measurement loops would flood the log. */
  muted<T>(work: () => T): T;
}

/** The context of muted work: steps recorded inside it are dropped. */
const mutedTrace: OpenTrace = Object.freeze({ flowId: 'muted', label: 'muted', startedAtMs: 0, steps: [], droppedSteps: 0 }) as OpenTrace;

export function createRequestRecorder(log: TraceLog): RequestRecorder {
  const current = new AsyncLocalStorage<OpenTrace>();
  const append = (trace: OpenTrace, step: TraceStep): void => {
    if (trace.steps.length >= log.limits.stepsPerTrace) trace.droppedSteps += 1;
    else trace.steps.push({ ...step, atMs: log.clock.nowMs() - trace.startedAtMs });
  };
  const open = (flowId: string, label: string): OpenTrace => ({ flowId, label, startedAtMs: log.clock.nowMs(), steps: [], droppedSteps: 0 });
  const close = (trace: OpenTrace, status: number | null): Trace =>
    log.add({ flowId: trace.flowId, label: trace.label, startedAtMs: trace.startedAtMs, durationMs: log.clock.nowMs() - trace.startedAtMs, status, steps: trace.steps, droppedSteps: trace.droppedSteps });
  return {
    log,
    open,
    run: (trace, work) => current.run(trace, work),
    muted: (work) => current.run(mutedTrace, work),
    append,
    close,
    recording: true,
    step(step) {
      const trace = current.getStore();
      if (trace === mutedTrace) return;
      if (trace !== undefined) {
        append(trace, step);
        return;
      }
      const background = open('background', 'background');
      append(background, step);
      close(background, null);
    },
  };
}
