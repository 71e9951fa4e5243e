import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '../test/support/postgres.ts';
import { findFreePort } from '../test/support/free-port.ts';
import { startRedisServer, type RedisServer } from '../test/support/redis.ts';
import { benchDir, detectPinning, runLoad, startChild, type ChildHandle } from './lib/children.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse, type PreparedGatehouse } from './lib/gatehouse-client.ts';
import { summarizeProfile } from './lib/cpu-profile.ts';
import { parseVariants } from './lib/build-variants.ts';
import { median, renderTable } from './lib/report.ts';
import type { LoadOptions } from './load/autocannon.ts';

/**
 * `node bench/pg-cpu.ts`: CPU per answered request of the PostgreSQL scenarios of bench/scale.ts,
 * counted in the server process AND in PostgreSQL (the postmaster and every backend), in
 * alternating short runs at one fixed request rate. PostgreSQL shares this machine's cores, so
 * req/s moves with everything else; CPU per request, both sides, is the figure an A/B of two
 * builds can rest on (COMMON.md).
 *
 *   node bench/pg-cpu.ts [--variants hello-pg,session-check,cached,refresh] [--rounds 5] [--duration 3] [--rate 4000]
 *   node bench/pg-cpu.ts --variants session-check@/tmp/before,session-check   (two builds, one database)
 *   node bench/pg-cpu.ts --variants session-check --profile   (and a CPU profile of each Gatehouse server)
 *
 * - hello-pg: servers/hello-pg.ts, fastify with the bare lookup (the no-cache target's baseline);
 *   hello-pg-pipelined: the same lookup sent as Gatehouse sends its own (pipelined);
 * - session-check: GET /v1/session on Gatehouse on PostgreSQL (+ Redis), no session cache;
 * - cached: the same with the 1 s session cache;
 * - refresh: the refresh_token grant (each round new families; the rate is capped at what they last).
 */

const { values: flags } = parseArgs({
  options: {
    variants: { type: 'string', default: 'hello-pg,session-check,cached,refresh' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '3' },
    rate: { type: 'string', default: '4000' },
    connections: { type: 'string', default: '50' },
    profile: { type: 'boolean', default: false },
    top: { type: 'string', default: '30' },
  },
});
const known = ['hello-pg', 'hello-pg-pipelined', 'session-check', 'cached', 'refresh'] as const;
type Kind = (typeof known)[number];
const { variants, kindOf, checkoutOf } = parseVariants(flags.variants, known);
const rounds = Number(flags.rounds);
const durationSeconds = Number(flags.duration);
const rate = Number(flags.rate);
const connections = Number(flags.connections);
const poolMax = 8;

const profileDir = join(benchDir, 'results', 'profiles');
const ticksPerSecond = 100;
/** Total CPU (microseconds) of the PostgreSQL server listening on `port`: postmaster, its reaped children and live backends. */
function postgresCpuMicros(port: number): number {
  const stats: { pid: number; ppid: number; fields: string[] }[] = [];
  let postmaster = -1;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.push({ pid: Number(entry), ppid: Number(fields[1]), fields });
      if (postmaster === -1) {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        if ((cmdline[0] ?? '').endsWith('/postgres') && cmdline.includes('-p') && cmdline[cmdline.indexOf('-p') + 1] === String(port)) postmaster = Number(entry);
      }
    } catch {
      // The process ended meanwhile.
    }
  }
  let ticks = 0;
  for (const { pid, ppid, fields } of stats) {
    // utime, stime at 11, 12; cutime, cstime at 13, 14 (0-based, after the command name).
    if (pid === postmaster) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    else if (ppid === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
  }
  if (postmaster === -1) throw new Error(`no PostgreSQL found on port ${port}`);
  return (ticks / ticksPerSecond) * 1_000_000;
}

async function main(): Promise<void> {
  const pinning = detectPinning();
  mkdirSync(profileDir, { recursive: true });
  console.log(`CPU per request, server and PostgreSQL; ${pinning.description}; ${rounds} rounds of ${durationSeconds} s at ${rate} req/s`);
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const servers: ChildHandle[] = [];
  try {
    [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
    const database = await createTestDatabase(postgres.url);
    const secret = randomBytes(32).toString('base64url');
    let prepared: PreparedGatehouse | undefined;
    let firstUrl = '';
    const loads = new Map<string, { handle: ChildHandle; url: string; load: Omit<LoadOptions, 'durationSeconds' | 'url'> }>();
    for (const variant of variants) {
      const kind = kindOf(variant);
      if (kind === 'hello-pg' || kind === 'hello-pg-pipelined') continue;
      const checkout = checkoutOf(variant);
      const port = await findFreePort();
      const script = 'servers/gatehouse-postgres.ts';
      const handle = await startChild({
        name: variant,
        script: checkout === undefined ? script : relative(benchDir, join(checkout, 'bench', script)),
        core: pinning.serverCore,
        readyTimeoutMs: 60_000,
        ...(flags.profile === true ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `pg-${kind}-${port}.cpuprofile`] } : {}),
        env: {
          ...process.env,
          BENCH_PORT: String(port),
          BENCH_POOL_MAX: String(poolMax),
          BENCH_DATABASE: database,
          BENCH_REDIS: redis.url,
          BENCH_SECRET: secret,
          BENCH_PUBLIC_URL: `http://localhost:${port}`,
          ...(kind === 'cached' ? { BENCH_SESSION_CACHE_MS: '1000' } : {}),
        },
      });
      servers.push(handle);
      const url = `http://127.0.0.1:${port}`;
      if (prepared === undefined) {
        prepared = await prepareGatehouse(url, 2, 24);
        firstUrl = url;
      }
      const base = { connections, overallRate: rate, method: kind === 'refresh' ? ('POST' as const) : ('GET' as const) };
      loads.set(variant, {
        handle,
        url: kind === 'refresh' ? `${url}/v1/token` : `${url}/v1/session`,
        load: kind === 'refresh' ? { ...base, headers: { 'content-type': 'application/x-www-form-urlencoded' } } : { ...base, headers: { cookie: prepared.sessionCookie } },
      });
    }
    for (const kind of ['hello-pg', 'hello-pg-pipelined'] as const) {
      if (!variants.some((v) => kindOf(v) === kind)) continue;
      if (prepared === undefined) throw new Error(`${kind} needs a Gatehouse variant too (for the session row)`);
      const sessionId = prepared.sessionCookie.slice(prepared.sessionCookie.indexOf('=') + 1).split('.')[0] as string;
      const handle = await startChild({
        name: kind,
        script: 'servers/hello-pg.ts',
        core: pinning.serverCore,
        ...(flags.profile === true ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `pg-${kind}.cpuprofile`] } : {}),
        env: { ...process.env, BENCH_DATABASE: database, BENCH_SESSION_ID: sessionId, BENCH_POOL_MAX: String(poolMax), ...(kind === 'hello-pg-pipelined' ? { BENCH_PIPELINED: '1' } : {}) },
      });
      servers.push(handle);
      for (const variant of variants.filter((v) => kindOf(v) === kind)) {
        loads.set(variant, { handle, url: `http://127.0.0.1:${String(handle.port)}/`, load: { connections, overallRate: rate, method: 'GET', headers: {} } });
      }
    }
    const figures = new Map<string, { server: number[]; postgres: number[]; rate: number[] }>(variants.map((v) => [v, { server: [], postgres: [], rate: [] }]));
    for (let round = 0; round <= rounds; round += 1) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) {
        const { handle, url, load } = loads.get(variant) as { handle: ChildHandle; url: string; load: Omit<LoadOptions, 'durationSeconds' | 'url'> };
        const seconds = round === 0 ? 2 : durationSeconds;
        const refreshChain =
          kindOf(variant) === 'refresh'
            ? { clientId: benchClientId, tokens: (await newRefreshFamilies(firstUrl, prepared?.accounts[0] as PreparedGatehouse['accounts'][number], 2 * connections)).map((f) => f.refreshToken) }
            : undefined;
        const before = await handle.cpu();
        const pgBefore = postgresCpuMicros(postgres.port);
        const summary = await runLoad(pinning.loadCore, { ...load, url, durationSeconds: seconds, ...(refreshChain === undefined ? {} : { refreshChain }) });
        const after = await handle.cpu();
        const pgAfter = postgresCpuMicros(postgres.port);
        if (summary.non2xx > 0 || summary.errors > 0) throw new Error(`${variant}: ${summary.non2xx} non-2xx, ${summary.errors} errors`);
        if (round === 0) continue;
        const ok = Math.max(1, summary.ok);
        const figure = figures.get(variant) as { server: number[]; postgres: number[]; rate: number[] };
        figure.server.push((after.userMicros - before.userMicros + after.systemMicros - before.systemMicros) / ok);
        figure.postgres.push((pgAfter - pgBefore) / ok);
        figure.rate.push(summary.okPerSecond);
      }
    }
    console.log(
      renderTable(
        ['variant', 'server CPU us/req', 'per round', 'PostgreSQL CPU us/req', 'per round', 'server + PostgreSQL', 'req/s'],
        variants.map((variant) => {
          const f = figures.get(variant) as { server: number[]; postgres: number[]; rate: number[] };
          return [
            variant,
            median(f.server).toFixed(1),
            f.server.map((v) => v.toFixed(0)).join(' '),
            median(f.postgres).toFixed(1),
            f.postgres.map((v) => v.toFixed(0)).join(' '),
            (median(f.server) + median(f.postgres)).toFixed(1),
            median(f.rate).toFixed(0),
          ];
        }),
        new Set([1, 3, 5, 6]),
      ),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop(15_000)));
    await Promise.all([postgres?.remove(), redis?.remove()]);
  }
  if (flags.profile === true) printProfiles();
}

function printProfiles(): void {
  for (const name of readdirSync(profileDir).filter((n) => n.startsWith('pg-') && n.endsWith('.cpuprofile'))) {
    const path = join(profileDir, name);
    const profile = summarizeProfile(path);
    const pct = (ms: number): string => `${((ms / profile.busyMs) * 100).toFixed(1)}%`;
    const top = Number(flags.top);
    console.log(`\n${name}: ${(profile.busyMs / 1000).toFixed(1)} s busy (start-up included)`);
    console.log(renderTable(['self', 'share', 'function', 'where'], profile.functions.filter((f) => f.name !== '(idle)').slice(0, top).map((f) => [`${f.selfMs.toFixed(0)} ms`, pct(f.selfMs), f.name, f.where]), new Set([0, 1])));
    console.log(renderTable(['self', 'share', 'where'], profile.groups.filter((g) => g.group !== '(idle)').slice(0, top).map((g) => [`${g.selfMs.toFixed(0)} ms`, pct(g.selfMs), g.group]), new Set([0, 1])));
    console.log(renderTable(['total', 'share', 'function', 'where'], profile.inclusive.filter((f) => f.where.startsWith('src/') && f.selfMs >= 1).slice(0, top).map((f) => [`${f.selfMs.toFixed(0)} ms`, pct(f.selfMs), f.name, f.where]), new Set([0, 1])));
  }
}

main().catch((error: unknown) => {
  console.error(`pg-cpu FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
