import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTraceLog } from '../../../src/core/trace/trace-log.ts';
import { createManualClock } from '../../support/core-deps.ts';

const finished = { flowId: 'f', label: 'GET /', startedAtMs: 0, durationMs: 1, status: 200, steps: [], droppedSteps: 0 };

test('numbers traces, keeps a bounded number, and tells listeners', () => {
  const log = createTraceLog(createManualClock(), { traces: 2, stepsPerTrace: 5, listeners: 1 });
  const seen: number[] = [];
  const unsubscribe = log.subscribe((trace) => seen.push(trace.seq));
  assert.ok(unsubscribe !== null);
  assert.equal(log.subscribe(() => undefined), null, 'a second listener is over the limit');
  for (let i = 0; i < 3; i += 1) log.add(finished);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(log.list(10).map((t) => t.seq), [3, 2]);
  unsubscribe();
  log.add(finished);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.ok(log.subscribe(() => undefined) !== null, 'the freed place can be taken');
});
