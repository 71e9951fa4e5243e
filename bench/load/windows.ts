import { cpuTimes, type RunRequest, type RunResult } from '../lib/protocol.ts';
import { serveParent } from '../servers/child.ts';
import { runAutocannon } from './autocannon.ts';

/**
 * A long-lived load generator: many short HTTP load windows (autocannon) on request, in one
 * process pinned to the load core. Starting a fresh load process per run costs a few hundred ms
 * of the load core each time; many short windows (bench/inspector-off.ts) need that gone. A
 * window may put several loads on at once (one per server), each with its own connections.
 */

async function run(request: RunRequest): Promise<RunResult> {
  if (request.kind !== 'http') throw new Error(`the load child runs HTTP windows only, not ${request.kind}`);
  // Sampled every 50 ms, so a window stops within 50 ms of its length (at autocannon's default it runs whole seconds).
  const summaries = await Promise.all(request.loads.map((load) => runAutocannon({ ...load, durationSeconds: request.durationSeconds, sampleIntervalMs: 50 })));
  const each = summaries.map((s) => ({ operations: s.ok, perSecond: s.okPerSecond, failed: s.non2xx, errors: s.errors + s.timeouts }));
  const total = cpuTimes();
  return {
    operations: each.reduce((sum, e) => sum + e.operations, 0),
    elapsedSeconds: Math.max(...summaries.map((s) => s.durationSeconds)),
    perSecond: each.reduce((sum, e) => sum + e.perSecond, 0),
    failed: each.reduce((sum, e) => sum + e.failed + e.errors, 0),
    processCpuSeconds: (total.userMicros + total.systemMicros) / 1e6,
    each,
  };
}

serveParent({ port: null, run, close: async () => {} });
