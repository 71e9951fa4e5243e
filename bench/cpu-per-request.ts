import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { benchDir, detectPinning, runLoad, startChild, type ChildHandle } from './lib/children.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse } from './lib/gatehouse-client.ts';
import type { LoadOptions } from './load/autocannon.ts';
import { parseVariants } from './lib/build-variants.ts';
import { median, renderTable } from './lib/report.ts';
import { measure as measureCodeFlow, redirectUri } from './code-flow.ts';
import type { CodeFlowLoad } from './load/code-flow.ts';

/**
 * `node bench/cpu-per-request.ts`: server CPU time (user + system, all threads) per answered
 * request, for several servers side by side, in alternating short runs. On a shared machine,
 * where req/s moves with other processes' load, CPU per request is the steadier figure for an
 * A/B of two builds or two server variants (COMMON.md). With `--rate`, every variant gets the
 * same request rate (below saturation), so batching does not differ between them.
 *
 *   node bench/cpu-per-request.ts [--variants hello,session-check,forward-auth,session-check-unwired] [--rounds 5] [--duration 3] [--rate 8000]
 *   node bench/cpu-per-request.ts --variants session-check@/tmp/before,session-check   (two builds)
 *
 * - hello: fastify hello-world; session-check: GET /v1/session on Gatehouse (SQLite);
 * - healthz: GET /healthz on Gatehouse with the session cookie: Gatehouse's hooks and headers
 *   around a route that does nothing, to tell the app's per-request cost from the check's;
 * - forward-auth: GET /v1/auth/check as nginx sends it;
 * - session-check-unwired: the session check on a Gatehouse with no trace recorder wired in
 *   (BENCH_INSPECTOR=unwired, the baseline of "inspector off").
 * - code-flow, code-flow-es256: the OpenID code flow with an existing session (bench/code-flow.ts,
 *   20 flows in flight, RS256 or ES256 ID token): CPU per flow, not per request; `--rate` and
 *   `--connections` do not apply;
 * - refresh: the refresh grant (POST /v1/token, ES256), each run on 100 new families (their
 *   password grants happen before the run's CPU is read), each connection presenting the
 *   successor it was just given, as in `npm run bench`.
 */

const { values: flags } = parseArgs({
  options: {
    variants: { type: 'string', default: 'hello,session-check,forward-auth' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    rate: { type: 'string' },
    connections: { type: 'string', default: '50' },
  },
});
const known = ['hello', 'healthz', 'session-check', 'forward-auth', 'session-check-unwired', 'code-flow', 'code-flow-es256', 'refresh'] as const;
type Variant = (typeof known)[number];
// `session-check#2`: the same variant on a server process of its own (an A/A control, or several
// processes per variant to see how much one process differs from another).
// `session-check@/path/to/other/checkout`: the server of another checkout of Gatehouse (a build
// before a change, e.g. a `git worktree` of an older commit sharing this node_modules): an A/B of
// two builds in the same alternating runs.
const { variants, kindOf, checkoutOf } = parseVariants(flags.variants, known);
const rounds = Number(flags.rounds);
const durationSeconds = Number(flags.duration);
const overallRate = flags.rate === undefined ? undefined : Number(flags.rate);
const connections = Number(flags.connections);

async function main(): Promise<void> {
  const pinning = detectPinning();
  console.log(`server CPU per request; ${pinning.description}; ${rounds} rounds of ${durationSeconds} s${overallRate === undefined ? ', unthrottled' : `, ${overallRate} req/s`}`);
  const servers = new Map<string, ChildHandle>();
  const server = async (kind: 'hello' | 'gatehouse' | 'unwired', instance: string, checkout: string | undefined): Promise<ChildHandle> => {
    const key = `${kind}#${instance}@${checkout ?? ''}`;
    const script = `servers/${kind === 'hello' ? 'hello' : 'gatehouse'}.ts`;
    const existing = servers.get(key);
    if (existing !== undefined) return existing;
    const started = await startChild({
      name: key,
      script: checkout === undefined ? script : relative(benchDir, join(checkout, 'bench', script)),
      core: pinning.serverCore,
      readyTimeoutMs: 60_000,
      env: kind === 'unwired' ? { ...process.env, BENCH_INSPECTOR: 'unwired' } : process.env,
    });
    servers.set(key, started);
    return started;
  };
  try {
    type Load = Omit<LoadOptions, 'durationSeconds'>;
    // A function: a load made afresh for every run (the refresh grant's new families).
    const loads = new Map<string, { handle: ChildHandle; load: Load | (() => Promise<Load>) }>();
    const flows = new Map<string, { handle: ChildHandle; load: Omit<CodeFlowLoad, 'durationSeconds'> }>();
    for (const variant of variants) {
      const kind = kindOf(variant);
      const handle = await server(kind === 'hello' ? 'hello' : kind === 'session-check-unwired' ? 'unwired' : 'gatehouse', variant.split('@')[0]?.split('#')[1] ?? '1', checkoutOf(variant));
      const url = `http://127.0.0.1:${String(handle.port)}`;
      const base = { connections, method: 'GET' as const, ...(overallRate === undefined ? {} : { overallRate }) };
      if (kind === 'hello') {
        loads.set(variant, { handle, load: { ...base, url: `${url}/`, headers: {} } });
        continue;
      }
      const { sessionCookie, accounts } = await prepareGatehouse(url, 1, 24);
      if (kind === 'refresh') {
        const account = accounts[0] as (typeof accounts)[number];
        loads.set(variant, {
          handle,
          load: async () => ({
            ...base,
            url: `${url}/v1/token`,
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            refreshChain: { clientId: benchClientId, tokens: (await newRefreshFamilies(url, account, 100)).map((family) => family.refreshToken) },
          }),
        });
        continue;
      }
      if (kind === 'code-flow' || kind === 'code-flow-es256') {
        const clientId = handle.info[kind === 'code-flow' ? 'codeFlowClientId' : 'codeFlowEs256ClientId'] as string;
        flows.set(variant, { handle, load: { authorizationEndpoint: `${url}/oauth2/authorize`, tokenEndpoint: `${url}/v1/token`, clientId, redirectUri, scope: 'openid', cookie: sessionCookie, connections: 20 } });
        continue;
      }
      loads.set(
        variant,
        kind === 'healthz'
          ? { handle, load: { ...base, url: `${url}/healthz`, headers: { cookie: sessionCookie } } }
          : kind === 'forward-auth'
          ? {
              handle,
              load: {
                ...base,
                url: `${url}/v1/auth/check`,
                headers: { cookie: sessionCookie, 'x-forwarded-proto': 'http', 'x-forwarded-host': `localhost:${String(handle.port)}`, 'x-forwarded-uri': '/app/reports?q=1' },
              },
            }
          : { handle, load: { ...base, url: `${url}/v1/session`, headers: { cookie: sessionCookie } } },
      );
    }
    const perRequest = new Map<string, number[]>(variants.map((v) => [v, []]));
    const rates = new Map<string, number[]>(variants.map((v) => [v, []]));
    for (let round = 0; round <= rounds; round += 1) {
      // Round 0 warms every server up and is discarded; later rounds alternate the order.
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const seconds = round === 0 ? 2 : durationSeconds;
        const flow = flows.get(variant);
        const handle = flow?.handle ?? (loads.get(variant)?.handle as ChildHandle);
        const entry = loads.get(variant);
        const load = entry === undefined ? undefined : typeof entry.load === 'function' ? await entry.load() : entry.load;
        const before = await handle.cpu();
        let summary: { ok: number; okPerSecond: number };
        if (flow !== undefined) {
          const result = await measureCodeFlow({ ...flow.load, durationSeconds: seconds }, pinning.loadCore);
          if (result.errors > 0) throw new Error(`${variant}: ${result.errors} failed flows (first: ${result.firstError ?? ''})`);
          summary = { ok: result.flows, okPerSecond: result.flows / result.elapsedSeconds };
        } else {
          const measured = await runLoad(pinning.loadCore, { ...(load as Load), durationSeconds: seconds });
          if (measured.non2xx > 0 || measured.errors > 0) throw new Error(`${variant}: ${measured.non2xx} non-2xx, ${measured.errors} errors`);
          summary = measured;
        }
        const after = await handle.cpu();
        if (round === 0) continue;
        const micros = after.userMicros - before.userMicros + after.systemMicros - before.systemMicros;
        perRequest.get(variant)?.push(micros / Math.max(1, summary.ok));
        rates.get(variant)?.push(summary.okPerSecond);
      }
    }
    const first = median(perRequest.get(variants[0] as string) ?? []);
    console.log(
      renderTable(
        ['variant', 'CPU us/request or flow (median)', 'per round', `vs ${variants[0] as string}`, 'req/s or flows/s (median)'],
        variants.map((variant) => {
          const values = perRequest.get(variant) ?? [];
          const value = median(values);
          return [variant, value.toFixed(1), values.map((v) => v.toFixed(1)).join(' '), `${(first / value).toFixed(3)}x`, median(rates.get(variant) ?? []).toFixed(0)];
        }),
        new Set([1, 3, 4]),
      ),
    );
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  }
}

main().catch((error: unknown) => {
  console.error(`cpu-per-request FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
