/** What one HTTP load run is asked to do and what it reports (bench/load/autocannon.ts). */

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
  /**
   * How often autocannon samples, in ms (its default 1000). A run only stops at a sample, so a
   * run shorter than a second needs a shorter one: at 1000, a 0.5 s run lasts a whole second.
   */
  sampleIntervalMs?: number;
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
