// Loaded into the server by `npm run soak` (`node --import ./scripts/soak-probe.ts bin/gatehouse.js
// serve`, forked with an IPC channel): it answers `sample` with the process's memory and the
// event-loop delay since the previous sample, and `breakdown` with what the resident memory is made
// of (soak-memory.ts). It adds a histogram and a message listener; the server is otherwise the
// installed command, started as operators start it.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { memoryBreakdown } from './soak-memory.ts';

export interface SoakSample {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  /** CPU time of the whole process (every thread), user + system, since it started. */
  cpuMicros: number;
  /** Main-thread time in garbage collection since it started (the parallel helpers' share is in cpuMicros). */
  gcMs: number;
  /** Young-generation collections (scavenges) since it started, and their main-thread time. */
  scavenges: number;
  scavengeMs: number;
}

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
let gcMs = 0;
let scavenges = 0;
let scavengeMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    if ((entry as { detail?: unknown } as { detail?: { kind?: number } }).detail?.kind !== constants.NODE_PERFORMANCE_GC_MINOR) continue;
    scavenges++;
    scavengeMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

process.on('message', (message: { type: string }) => {
  if (message.type === 'sample') {
    const memory = process.memoryUsage();
    const sample: SoakSample = {
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      heapTotalBytes: memory.heapTotal,
      externalBytes: memory.external,
      eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
      eventLoopDelayMaxMs: delay.max / 1e6,
      cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
      gcMs,
      scavenges,
      scavengeMs,
    };
    delay.reset();
    process.send?.({ type: 'sample', sample });
  } else if (message.type === 'breakdown') {
    process.send?.({ type: 'breakdown', breakdown: memoryBreakdown() });
  }
});
// The channel alone keeps no server alive: `gatehouse serve` exits on its own terms.
process.channel?.unref();
