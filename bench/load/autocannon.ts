import autocannon, { type AutocannonOptions, type AutocannonRequest } from 'autocannon';
import { cpuTimes, type CpuTimes } from '../lib/protocol.ts';

/**
 * One load run, in its own process so bench/run.ts can pin it to the core the server is not on.
 * Options arrive as JSON in argv[2]; the summary goes back over IPC.
 */

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Request bodies used in turn across the whole run (e.g. one login per account, round robin). */
  bodies?: string[];
  /**
   * Rotating refresh grants: each request presents a live refresh token taken from a pool that
   * starts with these (one per family, never presented before) and gets each response's
   * successor back, so every request rotates a token exactly once. Keep more families than
   * connections so the pool never runs dry.
   */
  refreshChain?: { clientId: string; tokens: string[] };
  /** Requests per second over all connections; unset, as fast as the server answers. */
  overallRate?: number;
}

export interface LoadSummary {
  /** 2xx responses per second: errors and refusals do not count as work done. */
  okPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  statusCodes: Record<string, number>;
  /** CPU this load generator used during the run, as a share of one core. */
  loadCpuShare: number;
  /** CPU this process used from its start, start-up included (to tell its use of the core from others'). */
  processCpuSeconds: number;
}

export type LoadMessage = { type: 'result'; summary: LoadSummary } | { type: 'error'; message: string };

function cpuShare(before: CpuTimes, after: CpuTimes, wallMs: number): number {
  return (after.userMicros - before.userMicros + after.systemMicros - before.systemMicros) / 1000 / wallMs;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '') as LoadOptions;
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
  };
  const cpuBefore = cpuTimes();
  const wallBefore = performance.now();
  const instance = autocannon(autocannonOptions);
  process.on('disconnect', () => instance.stop());
  const result = await instance;
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
  process.send?.({ type: 'result', summary } satisfies LoadMessage, () => process.exit(0));
}

main().catch((error: unknown) => {
  process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error) } satisfies LoadMessage, () => process.exit(1));
});
