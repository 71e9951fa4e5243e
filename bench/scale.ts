import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '../test/support/postgres.ts';
import { findFreePort } from '../test/support/free-port.ts';
import { startRedisServer, type RedisServer } from '../test/support/redis.ts';
import { benchDir, runLoad, startChild, type ChildHandle, type Pinning } from './lib/children.ts';
import { prepareGatehouse } from './lib/gatehouse-client.ts';
import { median, renderTable } from './lib/report.ts';

/**
 * Scale-out benchmarks (issue 6), run by `npm run bench` after the main table:
 * - session check on PostgreSQL + Redis, as a ratio of fastify hello-world (target >= 0.4);
 * - the same session check against one instance, then two instances on one database (load split
 *   between them), on this machine as it is: nothing pinned, PostgreSQL included;
 * - the refresh_token grant (durable rotation) on PostgreSQL, in grants per second.
 * PostgreSQL and Redis are throwaway servers (the test suite's), started and removed here.
 */

export interface ScaleBenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  runCount: number;
  pinning: Pinning;
}

const connections = 50;
const refreshChains = 16;

interface Row {
  name: string;
  value: number;
  unit: string;
  runs: number[];
  baseline: string;
  ratio: number | null;
  target: string;
}

async function startInstance(name: string, core: string | null, env: Record<string, string>, port: number): Promise<ChildHandle> {
  return startChild({ name, script: 'servers/gatehouse-postgres.ts', core, env: { ...process.env, ...env, BENCH_PORT: String(port) }, readyTimeoutMs: 60_000 });
}

/** Concurrent refresh chains: each presents its token, keeps the successor, and goes again. */
async function refreshLoad(baseUrl: string, tokens: string[], durationSeconds: number): Promise<{ perSecond: number; failures: number }> {
  const endAtMs = Date.now() + durationSeconds * 1000;
  let done = 0;
  let failures = 0;
  await Promise.all(
    tokens.map(async (first) => {
      let token = first;
      while (Date.now() < endAtMs) {
        const response = await fetch(`${baseUrl}/v1/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `grant_type=refresh_token&client_id=bench-web&refresh_token=${encodeURIComponent(token)}`,
        });
        const body = (await response.json()) as { refresh_token?: string };
        if (response.status !== 200 || body.refresh_token === undefined) {
          failures += 1;
          return;
        }
        token = body.refresh_token;
        done += 1;
      }
    }),
  );
  return { perSecond: done / durationSeconds, failures };
}

async function passwordGrants(baseUrl: string, accounts: Array<{ email: string; password: string }>, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const account = accounts[i % accounts.length] as { email: string; password: string };
    const response = await fetch(`${baseUrl}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'bench-web', username: account.email, password: account.password }),
    });
    const body = (await response.json()) as { refresh_token?: string };
    if (response.status !== 200 || body.refresh_token === undefined) throw new Error(`password grant failed: ${response.status} ${JSON.stringify(body)}`);
    tokens.push(body.refresh_token);
  }
  return tokens;
}

/** Runs the scale-out benchmarks and prints their table; returns the rows (also written to bench/results/scale.json). */
export async function scaleBenchmarks(options: ScaleBenchOptions): Promise<Row[]> {
  const { durationSeconds, warmupSeconds, runCount, pinning } = options;
  console.log('\nscale-out: PostgreSQL (+ Redis), throwaway servers');
  let postgres: PostgresServer | undefined;
  let redis: RedisServer | undefined;
  const children: ChildHandle[] = [];
  try {
    [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
    const database = await createTestDatabase(postgres.url);
    const [portA, portB, portC] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const env = { BENCH_DATABASE: database, BENCH_REDIS: redis.url, BENCH_SECRET: randomBytes(32).toString('base64url'), BENCH_PUBLIC_URL: `http://localhost:${portA}` };
    const hello = await startChild({ name: 'hello-world server', script: 'servers/hello.ts', core: pinning.serverCore });
    children.push(hello);
    const a = await startInstance('gatehouse on PostgreSQL (A)', pinning.serverCore, env, portA);
    children.push(a);
    const urlA = `http://127.0.0.1:${portA}`;
    const prepared = await prepareGatehouse(urlA, 5, 24);
    const helloUrl = `http://127.0.0.1:${String(hello.port)}/`;
    const session = { connections, method: 'GET' as const, headers: { cookie: prepared.sessionCookie } };

    // The same, with the 1-second session cache (storage/session-cache.ts): idle until its turn.
    const cachedInstance = await startInstance('gatehouse on PostgreSQL + session cache (C)', pinning.serverCore, { ...env, BENCH_SESSION_CACHE_MS: '1000' }, portC);
    children.push(cachedInstance);
    const urlC = `http://127.0.0.1:${portC}`;

    // 1. Session check vs hello-world, pinned like the main table (PostgreSQL runs wherever it can).
    const helloRuns: number[] = [];
    const sessionRuns: number[] = [];
    const cachedRuns: number[] = [];
    for (let round = 0; round <= runCount; round++) {
      const seconds = round === 0 ? warmupSeconds : durationSeconds;
      const h = await runLoad(pinning.loadCore, { url: helloUrl, connections, durationSeconds: seconds, method: 'GET', headers: {} });
      const s = await runLoad(pinning.loadCore, { url: `${urlA}/v1/session`, durationSeconds: seconds, ...session });
      if (s.non2xx > 0 || s.errors > 0) throw new Error(`session check on PostgreSQL: ${s.non2xx} non-2xx, ${s.errors} errors`);
      const c = await runLoad(pinning.loadCore, { url: `${urlC}/v1/session`, durationSeconds: seconds, ...session });
      if (c.non2xx > 0 || c.errors > 0) throw new Error(`session check with the session cache: ${c.non2xx} non-2xx, ${c.errors} errors`);
      if (round === 0) continue;
      helloRuns.push(h.okPerSecond);
      sessionRuns.push(s.okPerSecond);
      cachedRuns.push(c.okPerSecond);
      console.log(`  round ${round}: session check with the 1 s session cache ${c.okPerSecond.toFixed(0)}/s, ratio ${(c.okPerSecond / h.okPerSecond).toFixed(3)}`);
      console.log(`  round ${round}: hello ${h.okPerSecond.toFixed(0)}/s, session check (PostgreSQL + Redis) ${s.okPerSecond.toFixed(0)}/s, ratio ${(s.okPerSecond / h.okPerSecond).toFixed(3)}`);
    }
    await hello.stop();
    await cachedInstance.stop();

    // 2. Refresh grant on PostgreSQL: durable rotation, one transaction per grant.
    const refreshRuns: number[] = [];
    for (let round = 0; round <= runCount; round++) {
      const tokens = await passwordGrants(urlA, prepared.accounts, refreshChains);
      const result = await refreshLoad(urlA, tokens, round === 0 ? warmupSeconds : durationSeconds);
      if (result.failures > 0) throw new Error(`refresh grant: ${result.failures} chains failed`);
      if (round > 0) {
        refreshRuns.push(result.perSecond);
        console.log(`  round ${round}: refresh grant (PostgreSQL) ${result.perSecond.toFixed(0)}/s over ${refreshChains} chains`);
      }
    }

    // 3. One instance vs two on one database, nothing pinned: the whole machine, PostgreSQL included.
    await a.stop();
    children.length = 0;
    const single = await startInstance('gatehouse on PostgreSQL (A, unpinned)', null, env, portA);
    children.push(single);
    const oneRuns: number[] = [];
    for (let round = 0; round <= runCount; round++) {
      const s = await runLoad(null, { url: `${urlA}/v1/session`, durationSeconds: round === 0 ? warmupSeconds : durationSeconds, ...session });
      if (round > 0) oneRuns.push(s.okPerSecond);
    }
    const second = await startInstance('gatehouse on PostgreSQL (B, unpinned)', null, env, portB);
    children.push(second);
    const urlB = `http://127.0.0.1:${portB}`;
    const twoRuns: number[] = [];
    for (let round = 0; round <= runCount; round++) {
      const seconds = round === 0 ? warmupSeconds : durationSeconds;
      const half = { ...session, connections: connections / 2, durationSeconds: seconds };
      const [onA, onB] = await Promise.all([runLoad(null, { url: `${urlA}/v1/session`, ...half }), runLoad(null, { url: `${urlB}/v1/session`, ...half })]);
      if (onB.non2xx > 0) throw new Error(`instance B refused the session made on A (${onB.non2xx} non-2xx)`);
      if (round > 0) twoRuns.push(onA.okPerSecond + onB.okPerSecond);
    }
    console.log(`  one instance ${median(oneRuns).toFixed(0)}/s, two instances ${median(twoRuns).toFixed(0)}/s (session check, unpinned, load split evenly)`);

    const helloMedian = median(helloRuns);
    const rows: Row[] = [
      { name: 'fastify hello-world', value: helloMedian, unit: 'req/s', runs: helloRuns, baseline: '-', ratio: null, target: '-' },
      {
        name: 'session check (PostgreSQL + Redis)',
        value: median(sessionRuns),
        unit: 'req/s',
        runs: sessionRuns,
        baseline: 'fastify hello-world',
        ratio: median(sessionRuns) / helloMedian,
        target: '>= 0.40x',
      },
      {
        name: 'session check (PostgreSQL + Redis + 1 s session cache)',
        value: median(cachedRuns),
        unit: 'req/s',
        runs: cachedRuns,
        baseline: 'fastify hello-world',
        ratio: median(cachedRuns) / helloMedian,
        target: '>= 0.40x',
      },
      { name: 'session check, 1 instance (unpinned)', value: median(oneRuns), unit: 'req/s', runs: oneRuns, baseline: '-', ratio: null, target: '-' },
      {
        name: 'session check, 2 instances, 1 database (unpinned)',
        value: median(twoRuns),
        unit: 'req/s',
        runs: twoRuns,
        baseline: '1 instance',
        ratio: median(twoRuns) / median(oneRuns),
        target: '-',
      },
      { name: 'refresh grant (PostgreSQL, durable rotation)', value: median(refreshRuns), unit: 'grants/s', runs: refreshRuns, baseline: '-', ratio: null, target: '-' },
    ];
    console.log(
      `\n${renderTable(
        ['benchmark', 'value', 'runs', 'baseline', 'ratio', 'target'],
        rows.map((r) => [r.name, `${r.value.toFixed(0)} ${r.unit}`, r.runs.map((v) => v.toFixed(0)).join(' / '), r.baseline, r.ratio === null ? '-' : `${r.ratio.toFixed(3)}x`, r.target]),
        new Set([1, 4]),
      )}`,
    );
    console.log('  PostgreSQL and Redis run unpinned on the same 2 cores as everything else: the PostgreSQL figures include their CPU.');
    mkdirSync(`${benchDir}results`, { recursive: true });
    writeFileSync(`${benchDir}results/scale.json`, `${JSON.stringify({ finishedAt: new Date().toISOString(), pinning, durationSeconds, runCount, rows }, null, 2)}\n`);
    console.log('  written to bench/results/scale.json');
    return rows;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await Promise.all([postgres?.remove(), redis?.remove()]);
  }
}
