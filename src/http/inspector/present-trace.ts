import type { TraceValue } from '../../core/trace/ports.ts';
import { teaching, type TeachingReference } from '../../core/trace/teaching.ts';
import type { Trace } from '../../core/trace/trace-log.ts';

/** A trace as the JSON route, the stream and the page show it: each step's standard spelled out. */
export interface PresentedTrace {
  seq: number;
  flowId: string;
  label: string;
  startedAt: string;
  durationMs: number;
  status: number | null;
  droppedSteps: number;
  steps: Array<{
    kind: string;
    title: string;
    outcome: string;
    atMs: number;
    detail: { readonly [key: string]: TraceValue };
    teach: TeachingReference | null;
  }>;
}

export function presentTrace(trace: Trace): PresentedTrace {
  return {
    seq: trace.seq,
    flowId: trace.flowId,
    label: trace.label,
    startedAt: new Date(trace.startedAtMs).toISOString(),
    durationMs: trace.durationMs,
    status: trace.status,
    droppedSteps: trace.droppedSteps,
    steps: trace.steps.map((step) => ({
      kind: step.kind,
      title: step.title,
      outcome: step.outcome ?? 'info',
      atMs: step.atMs,
      detail: step.detail ?? {},
      teach: step.teach === undefined ? null : teaching[step.teach],
    })),
  };
}
