import autocannon, { type AutocannonOptions, type AutocannonRequest } from 'autocannon';
import { cpuTimes, type CpuTimes } from '../lib/protocol.ts';
import type { LoadMessage, LoadOptions, LoadSummary } from './load-options.ts';

/**
 * One load run, in its own process so bench/run.ts can pin it to the core the server is not on.
 * Options arrive as JSON in argv[2]; the summary goes back over IPC. bench/load/windows.ts runs
 * many short runs in one long-lived process with `runAutocannon`.
 */

export type { LoadMessage, LoadOptions, LoadSummary } from './load-options.ts';

function cpuShare(before: CpuTimes, after: CpuTimes, wallMs: number): number {
  return (after.userMicros - before.userMicros + after.systemMicros - before.systemMicros) / 1000 / wallMs;
}

/** One load run in this process (autocannon), summarised. */
export async function runAutocannon(options: LoadOptions): Promise<LoadSummary> {
  const request: AutocannonRequest = { method: options.method, headers: options.headers };
  const bodies = options.bodies;
  const chain = options.refreshChain;
  if (chain !== undefined) {
    if (chain.tokens.length <= options.connections) throw new Error(`refreshChain needs more families (${chain.tokens.length}) than connections (${options.connections})`);
    const pool = [...chain.tokens];
    request.setupRequest = (req) => {
      const token = pool.shift();
      if (token === undefined) throw new Error('the refresh-token pool ran dry');
      req.body = new URLSearchParams({ grant_type: 'refresh_token', client_id: chain.clientId, refresh_token: token }).toString();
      return req;
    };
    request.onResponse = (status, body) => {
      // A failed grant loses its family; the run then counts as INVALID (non-2xx).
      if (status !== 200) return;
      const successor = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
      if (successor !== undefined) pool.push(successor);
    };
  } else if (bodies !== undefined && bodies.length > 0) {
    let next = 0;
    request.setupRequest = (req) => {
      req.body = bodies[next % bodies.length] as string;
      next += 1;
      return req;
    };
  }
  const autocannonOptions: AutocannonOptions = {
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [request],
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    ...(options.sampleIntervalMs === undefined ? {} : { sampleInt: options.sampleIntervalMs }),
  };
  const cpuBefore = cpuTimes();
  const wallBefore = performance.now();
  const instance = autocannon(autocannonOptions);
  const stop = (): void => instance.stop();
  process.once('disconnect', stop);
  const result = await instance;
  process.off('disconnect', stop);
  const loadCpuShare = cpuShare(cpuBefore, cpuTimes(), performance.now() - wallBefore);
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count;
  const summary: LoadSummary = {
    okPerSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    statusCodes,
    loadCpuShare,
    processCpuSeconds: (() => {
      const total = cpuTimes();
      return (total.userMicros + total.systemMicros) / 1e6;
    })(),
  };
  return summary;
}

async function main(): Promise<void> {
  const summary = await runAutocannon(JSON.parse(process.argv[2] ?? '') as LoadOptions);
  process.send?.({ type: 'result', summary } satisfies LoadMessage, () => process.exit(0));
}

// Run as a script (bench/lib/children.ts runLoad): one run, options in argv[2]. Imported (bench/load/windows.ts): runAutocannon only.
if (import.meta.main) {
  main().catch((error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies LoadMessage, () => process.exit(1));
  });
}
