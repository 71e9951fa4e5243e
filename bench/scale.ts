import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '../test/support/postgres.ts';
import { findFreePort } from '../test/support/free-port.ts';
import { startRedisServer, type RedisServer } from '../test/support/redis.ts';
import { benchDir, runLoad, startChild, type ChildHandle, type Pinning } from './lib/children.ts';
import { benchClientId, newRefreshFamilies, prepareGatehouse } from './lib/gatehouse-client.ts';
import { median, renderSideTable, type SideTableRow } from './lib/report.ts';

/**
 * Scale-out benchmarks (issues 6 and 17), run by `npm run bench` after the main table:
 * - session check on PostgreSQL without the session cache, as a ratio of the bare pg primary-key
 *   lookup over a pool of the same size behind fastify (servers/hello-pg.ts, the same HTTP load:
 *   target >= 0.9), of that lookup sent as Gatehouse sends its own (pipelined), of that lookup in
 *   process with no HTTP, and of fastify hello-world (the last three
 *   information only: issue 6's ">= 0.4x hello" was for the check with a cache if one was built,
 *   which issue 17 raised to the 0.55x of the next row; PERF.md's no-cache target is the 0.9x);
 * - the same with the 1-second session cache, as a ratio of fastify hello-world (target >= 0.55);
 * - the same session check against one instance, then two instances on one database (load split
 *   between them), on this machine as it is: nothing pinned, PostgreSQL included;
 * - the refresh_token grant (durable rotation, ES256) on PostgreSQL (target >= 2,500/s).
 * PostgreSQL and Redis are throwaway servers (the test suite's), started and removed here.
 */

export interface ScaleBenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  runCount: number;
  pinning: Pinning;
}

const connections = 50;
const poolMax = 8;
/** Refresh grants: each run gets fresh families, twice as many as connections (bench/load/autocannon.ts). */
const refreshFamiliesPerRun = 2 * connections;


async function startInstance(name: string, core: string | null, env: Record<string, string>, port: number): Promise<ChildHandle> {
  return startChild({ name, script: 'servers/gatehouse-postgres.ts', core, env: { ...process.env, ...env, BENCH_PORT: String(port), BENCH_POOL_MAX: String(poolMax) }, readyTimeoutMs: 60_000 });
}

/** bench/baselines/pg-lookup.ts, pinned like a server: bare primary-key lookups per second. */
async function pgLookups(core: string | null, database: string, sessionId: string, seconds: number): Promise<number> {
  const args = [`${benchDir}baselines/pg-lookup.ts`, database, sessionId, String(seconds), String(connections)];
  const command = core === null ? [process.execPath, ...args] : ['taskset', '-c', core, process.execPath, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, command.slice(1), { env: { ...process.env, BENCH_POOL_MAX: String(poolMax) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`pg lookup baseline failed (${String(code)}): ${err.slice(-1000)}`));
      else resolve((JSON.parse(out.trim()) as { perSecond: number }).perSecond);
    });
  });
}

function verdict(target: { ratio: number } | { perSecond: number }, value: number, ratio: number): string {
  const short = 'ratio' in target ? 1 - ratio / target.ratio : 1 - value / target.perSecond;
  return short <= 0 ? 'pass' : `miss (${(short * 100).toFixed(0)}% short)`;
}

/** Runs the scale-out benchmarks and prints their table; returns the rows (also written to bench/results/scale.json). */
export async function scaleBenchmarks(options: ScaleBenchOptions): Promise<SideTableRow[]> {
  const { durationSeconds, warmupSeconds, runCount, pinning } = options;
  console.log('\nscale-out: PostgreSQL (+ Redis), throwaway servers');
  console.log('  the PostgreSQL session check (no cache) is measured against the bare lookup behind fastify (servers/hello-pg.ts), not the in-process lookup;');
  console.log('  Gatehouse sends that lookup pipelined (postgres-pipeline.ts), the baseline through its pool: the same lookup pipelined is shown for information');
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

    // 1. Session check vs hello-world and vs bare pg lookups, pinned like the main table
    //    (PostgreSQL runs wherever it can).
    const sessionId = prepared.sessionCookie.slice(prepared.sessionCookie.indexOf('=') + 1).split('.')[0] as string;
    // The same lookup behind fastify (servers/hello-pg.ts), under the same HTTP load: the ceiling
    // of an HTTP session check on this pool, which the in-process lookup above is not.
    const helloPg = await startChild({
      name: 'hello-world + bare pg lookup',
      script: 'servers/hello-pg.ts',
      core: pinning.serverCore,
      env: { ...process.env, BENCH_DATABASE: database, BENCH_SESSION_ID: sessionId, BENCH_POOL_MAX: String(poolMax) },
    });
    children.push(helloPg);
    const helloPgUrl = `http://127.0.0.1:${String(helloPg.port)}/`;
    // The same, with the lookup sent as Gatehouse sends its own (pipelined, one write per
    // event-loop turn): information, the ceiling of that method.
    const helloPgPipelined = await startChild({
      name: 'hello-world + pipelined pg lookup',
      script: 'servers/hello-pg.ts',
      core: pinning.serverCore,
      env: { ...process.env, BENCH_DATABASE: database, BENCH_SESSION_ID: sessionId, BENCH_PIPELINED: '1' },
    });
    children.push(helloPgPipelined);
    const helloPgPipelinedUrl = `http://127.0.0.1:${String(helloPgPipelined.port)}/`;
    const helloPgPipelinedRuns: number[] = [];
    const helloPgRuns: number[] = [];
    const helloRuns: number[] = [];
    const lookupRuns: number[] = [];
    const sessionRuns: number[] = [];
    const cachedRuns: number[] = [];
    for (let round = 0; round <= runCount; round++) {
      const seconds = round === 0 ? warmupSeconds : durationSeconds;
      const h = await runLoad(pinning.loadCore, { url: helloUrl, connections, durationSeconds: seconds, method: 'GET', headers: {} });
      const lookups = await pgLookups(pinning.serverCore, database, sessionId, seconds);
      const hp = await runLoad(pinning.loadCore, { url: helloPgUrl, connections, durationSeconds: seconds, method: 'GET', headers: {} });
      const hpp = await runLoad(pinning.loadCore, { url: helloPgPipelinedUrl, connections, durationSeconds: seconds, method: 'GET', headers: {} });
      const s = await runLoad(pinning.loadCore, { url: `${urlA}/v1/session`, durationSeconds: seconds, ...session });
      if (s.non2xx > 0 || s.errors > 0) throw new Error(`session check on PostgreSQL: ${s.non2xx} non-2xx, ${s.errors} errors`);
      const c = await runLoad(pinning.loadCore, { url: `${urlC}/v1/session`, durationSeconds: seconds, ...session });
      if (c.non2xx > 0 || c.errors > 0) throw new Error(`session check with the session cache: ${c.non2xx} non-2xx, ${c.errors} errors`);
      if (round === 0) continue;
      helloRuns.push(h.okPerSecond);
      lookupRuns.push(lookups);
      helloPgRuns.push(hp.okPerSecond);
      helloPgPipelinedRuns.push(hpp.okPerSecond);
      sessionRuns.push(s.okPerSecond);
      cachedRuns.push(c.okPerSecond);
      console.log(
        `  round ${round}: hello ${h.okPerSecond.toFixed(0)}/s, bare pg lookup ${lookups.toFixed(0)}/s, behind fastify ${hp.okPerSecond.toFixed(0)}/s (pipelined ${hpp.okPerSecond.toFixed(0)}/s), session check (PostgreSQL) ${s.okPerSecond.toFixed(0)}/s ` +
          `(${(s.okPerSecond / hp.okPerSecond).toFixed(3)}x the lookup behind fastify), with the 1 s cache ${c.okPerSecond.toFixed(0)}/s (${(c.okPerSecond / h.okPerSecond).toFixed(3)}x hello)`,
      );
    }
    await hello.stop();
    await helloPg.stop();
    await helloPgPipelined.stop();
    await cachedInstance.stop();

    // 2. Refresh grant on PostgreSQL: durable rotation (one statement per grant, committed before the answer), ES256; the
    //    load as in the main table (autocannon, every request presents a live token of a new family).
    const refreshRuns: number[] = [];
    for (let round = 0; round <= runCount; round++) {
      const families = await newRefreshFamilies(urlA, prepared.accounts[0] as (typeof prepared.accounts)[number], refreshFamiliesPerRun);
      const result = await runLoad(pinning.loadCore, {
        url: `${urlA}/v1/token`,
        connections,
        durationSeconds: round === 0 ? warmupSeconds : durationSeconds,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        refreshChain: { clientId: benchClientId, tokens: families.map((family) => family.refreshToken) },
      });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`refresh grant on PostgreSQL: ${result.non2xx} non-2xx (${JSON.stringify(result.statusCodes)}), ${result.errors} errors`);
      if (round > 0) {
        refreshRuns.push(result.okPerSecond);
        console.log(`  round ${round}: refresh grant (PostgreSQL) ${result.okPerSecond.toFixed(0)}/s`);
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
    const lookupMedian = median(lookupRuns);
    const helloPgMedian = median(helloPgRuns);
    const helloPgPipelinedMedian = median(helloPgPipelinedRuns);
    const sessionMedian = median(sessionRuns);
    const cachedMedian = median(cachedRuns);
    const refreshMedian = median(refreshRuns);
    const rows: SideTableRow[] = [
      { name: 'fastify hello-world', value: helloMedian, unit: 'req/s', runs: helloRuns, baseline: '-', ratio: null, target: '-', result: 'baseline' },
      { name: `fastify hello-world + the same bare lookup (pool of ${poolMax})`, value: helloPgMedian, unit: 'req/s', runs: helloPgRuns, baseline: '-', ratio: null, target: '-', result: 'baseline' },
      {
        // PERF.md's "bare pg primary-key lookup over the same pool", measured as the session check
        // is: behind fastify, under the same HTTP load (issue 17). The in-process loop below has no
        // HTTP at all, so 0.9x of it is out of reach by construction; it stays as information.
        name: 'session check (PostgreSQL, no cache)',
        value: sessionMedian,
        unit: 'req/s',
        runs: sessionRuns,
        baseline: 'hello-world + bare lookup',
        ratio: sessionMedian / helloPgMedian,
        target: '>= 0.90x',
        result: verdict({ ratio: 0.9 }, sessionMedian, sessionMedian / helloPgMedian),
      },
      {
        name: 'fastify hello-world + the same lookup, pipelined as Gatehouse sends it',
        value: helloPgPipelinedMedian,
        unit: 'req/s',
        runs: helloPgPipelinedRuns,
        baseline: '-',
        ratio: null,
        target: '-',
        result: 'info',
      },
      {
        // Gatehouse sends its session lookups on one pipelined connection (postgres-pipeline.ts),
        // not through the pool as the target's baseline does: the same method around the bare
        // lookup shows what is left of Gatehouse's own cost.
        name: 'session check (PostgreSQL, no cache)',
        value: sessionMedian,
        unit: 'req/s',
        runs: sessionRuns,
        baseline: 'pipelined bare lookup',
        ratio: sessionMedian / helloPgPipelinedMedian,
        target: '-',
        result: 'info: the same method',
      },
      { name: `bare pg primary-key lookup, in process, no HTTP (pool of ${poolMax})`, value: lookupMedian, unit: '/s', runs: lookupRuns, baseline: '-', ratio: null, target: '-', result: 'info' },
      {
        name: 'session check (PostgreSQL, no cache)',
        value: sessionMedian,
        unit: 'req/s',
        runs: sessionRuns,
        baseline: 'in-process lookup',
        ratio: sessionMedian / lookupMedian,
        target: '-',
        result: 'info: no HTTP in the baseline',
      },
      {
        name: 'session check (PostgreSQL, no cache)',
        value: sessionMedian,
        unit: 'req/s',
        runs: sessionRuns,
        baseline: 'fastify hello-world',
        ratio: sessionMedian / helloMedian,
        // Issue 6 asked ">= 0.4x hello" of the check "+ Redis cache if you built one": the cached
        // row below (issue 17: >= 0.55x). Without the cache PostgreSQL's CPU shares the cores, so
        // its target is against the bare lookup (above), as PERF.md states.
        target: '-',
        result: 'info: PostgreSQL shares the cores',
      },
      {
        name: 'session check (PostgreSQL + Redis + 1 s session cache)',
        value: cachedMedian,
        unit: 'req/s',
        runs: cachedRuns,
        baseline: 'fastify hello-world',
        ratio: cachedMedian / helloMedian,
        target: '>= 0.55x',
        result: verdict({ ratio: 0.55 }, cachedMedian, cachedMedian / helloMedian),
      },
      { name: 'session check, 1 instance (unpinned)', value: median(oneRuns), unit: 'req/s', runs: oneRuns, baseline: '-', ratio: null, target: '-', result: '-' },
      {
        name: 'session check, 2 instances, 1 database (unpinned)',
        value: median(twoRuns),
        unit: 'req/s',
        runs: twoRuns,
        baseline: '1 instance',
        ratio: median(twoRuns) / median(oneRuns),
        target: '-',
        result: '-',
      },
      {
        name: 'refresh grant (PostgreSQL, durable rotation, ES256)',
        value: refreshMedian,
        unit: 'grants/s',
        runs: refreshRuns,
        baseline: '-',
        ratio: null,
        target: '>= 2,500/s',
        result: verdict({ perSecond: 2500 }, refreshMedian, Number.NaN),
      },
    ];
    console.log(
      `\n${renderSideTable(rows)}`,
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
