// `npm run soak -- --minutes 10 [--rate 400] [--concurrency 16] [--interval 30] [--rest 0]`: a mixed load
// against a real Gatehouse on loopback: session checks, forward-auth checks, refresh grants,
// logins, sign-ups and revocations (logouts and refresh-token revocations). The server is the
// installed command started as operators start it (`bin/gatehouse.js serve`, configured by
// environment variables, on a fresh SQLite file, its compile cache warm as on any second start),
// with scripts/soak-probe.ts loaded into it to answer for its memory. Every interval it prints the
// server's RSS, heap and event-loop delay, and the requests' rate, errors and p99 latency; at the
// start (idle) and the end, what the resident memory is made of (scripts/soak-memory.ts); at the
// end a verdict on growth: the trend of RSS and heap over the last 5 minutes (least squares), and
// RSS against 150 MB. With `--rest N`, the server is then left idle for N seconds and its memory
// shown again (the WAL checkpoint worker stops after 30 s of an idle WAL).
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTestEnv } from '../bench/lib/load-test-config.ts';
import { findFreePort } from '../test/support/free-port.ts';
import type { SoakSample } from './soak-probe.ts';
import { renderBreakdown, type MemoryBreakdown } from './soak-memory.ts';
import { rssTargetMb, soakVerdict, trendLimitMb } from './soak-verdict.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '16' },
    interval: { type: 'string', default: '30' },
    rest: { type: 'string', default: '0' },
  },
});
const minutes = Number(values.minutes);
const targetRate = Number(values.rate);
const concurrency = Number(values.concurrency);
const intervalSeconds = Number(values.interval);
const restSeconds = Number(values.rest);
if (!(minutes > 0) || !(targetRate > 0) || !Number.isInteger(concurrency) || concurrency < 1 || !(intervalSeconds >= 1) || !(restSeconds >= 0)) {
  console.error('usage: npm run soak -- [--minutes 10] [--rate 400] [--concurrency 16] [--interval 30] [--rest 0]');
  process.exit(2);
}

// --- the server -------------------------------------------------------------------------------

const bin = fileURLToPath(new URL('../bin/gatehouse.js', import.meta.url));
const probe = fileURLToPath(new URL('./soak-probe.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-soak-'));
const port = await findFreePort();
const env = {
  ...process.env,
  ...loadTestEnv(port, dir, { GATEHOUSE_FORWARD_AUTH_RULES: `http://localhost:${port}/app` }),
  NODE_COMPILE_CACHE: join(dir, 'compile-cache'),
};
const base = `http://127.0.0.1:${port}`;
const started: ChildProcess[] = [];
process.on('exit', () => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** `gatehouse serve` with the probe, once it answers /healthz. */
async function startServer(): Promise<ChildProcess> {
  const child = fork(bin, ['serve'], { env, execArgv: ['--import', probe], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  started.push(child);
  const startedAt = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gatehouse serve exited (${String(child.exitCode)}) before it was ready`);
    if (performance.now() - startedAt > 60_000) throw new Error('gatehouse serve not ready after 60 s');
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return child;
    await sleep(20);
  }
}
async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string } & Record<string, unknown>): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message[type] as T);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}

// A first start fills the compile cache (as any earlier start of the command would) and migrates
// the database; the soak's client is registered with the CLI, as an operator would.
await stopServer(await startServer());
execFileSync(process.execPath, [bin, 'clients', 'create', '--id', 'soak-web', '--name', 'Soak web app', '--type', 'public', '--grant', 'password', '--grant', 'refresh_token', '--audience', 'https://api.soak.invalid'], { env, stdio: 'ignore' });
const server = await startServer();
const sample = (): Promise<SoakSample> => ask(server, 'sample');
const printBreakdown = async (when: string): Promise<void> => {
  console.log(`resident memory ${when}:`);
  for (const line of renderBreakdown(await ask<MemoryBreakdown>(server, 'breakdown'))) console.log(line);
};
await sleep(3000);
await printBreakdown('idle, 3 s after start-up');

// --- the load ---------------------------------------------------------------------------------

type Op = 'session-check' | 'forward-auth' | 'refresh' | 'login' | 'sign-up' | 'logout' | 'token-grant';
/** Weights: mostly reads, as in front of real apps; every write path taken several times a second. */
const mix: Array<[Op, number]> = [
  ['session-check', 60],
  ['forward-auth', 15],
  ['refresh', 12],
  ['login', 3],
  ['logout', 3],
  ['sign-up', 3],
  ['token-grant', 4],
];
const totalWeight = mix.reduce((sum, [, w]) => sum + w, 0);
function pick(): Op {
  let r = Math.random() * totalWeight;
  for (const [op, w] of mix) if ((r -= w) < 0) return op;
  return 'session-check';
}

const password = 'soak passphrase that is long enough';
const accounts: string[] = [];
const sessions: string[] = [];
const chains: string[] = [];
const maxSessions = 200;
const maxChains = 100;
const randomIp = (): string => `10.${1 + (randomBytes(1)[0] ?? 0) % 250}.${randomBytes(1)[0] ?? 0}.${1 + (randomBytes(1)[0] ?? 0) % 250}`;
const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function signUp(): Promise<number> {
  const email = `soak-${randomBytes(6).toString('hex')}@example.com`;
  const response = await fetch(`${base}/v1/users`, { method: 'POST', headers: { ...json, 'x-forwarded-for': randomIp() }, body: JSON.stringify({ email, password }) });
  await response.body?.cancel();
  if (response.status === 202) accounts.push(email);
  return response.status;
}

async function logIn(): Promise<number> {
  const email = accounts[Math.floor(Math.random() * accounts.length)] as string;
  const response = await fetch(`${base}/v1/session`, { method: 'POST', headers: { ...json, 'x-forwarded-for': randomIp() }, body: JSON.stringify({ email, password }) });
  await response.body?.cancel();
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session='))?.split(';')[0];
  if (cookie !== undefined) {
    sessions.push(cookie);
    // Keep the pool bounded: the oldest is logged out (a revocation) by the logout op soon enough.
    while (sessions.length > maxSessions) await logOut(sessions.shift() as string);
  }
  return response.status;
}

async function logOut(cookie?: string): Promise<number> {
  const chosen = cookie ?? (sessions.length > 20 ? sessions.splice(Math.floor(Math.random() * sessions.length), 1)[0] : undefined);
  if (chosen === undefined) return logIn();
  const response = await fetch(`${base}/v1/session`, { method: 'DELETE', headers: { cookie: chosen } });
  await response.body?.cancel();
  return response.status;
}

async function check(path: string, headers: Record<string, string> = {}): Promise<number> {
  const cookie = sessions[Math.floor(Math.random() * sessions.length)];
  if (cookie === undefined) return logIn();
  const response = await fetch(`${base}${path}`, { headers: { cookie, ...headers } });
  await response.body?.cancel();
  return response.status;
}

async function tokenGrant(): Promise<number> {
  const email = accounts[Math.floor(Math.random() * accounts.length)] as string;
  const response = await fetch(`${base}/v1/token`, { method: 'POST', headers: { ...form, 'x-forwarded-for': randomIp() }, body: new URLSearchParams({ grant_type: 'password', client_id: 'soak-web', username: email, password }) });
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: string };
  if (body.refresh_token !== undefined) {
    chains.push(body.refresh_token);
    // Over the cap, revoke the oldest family: the refresh-token revocation path.
    while (chains.length > maxChains) {
      const old = chains.shift() as string;
      const revoked = await fetch(`${base}/v1/token/revoke`, { method: 'POST', headers: form, body: new URLSearchParams({ token: old, client_id: 'soak-web' }) });
      await revoked.body?.cancel();
    }
  }
  return response.status;
}

async function refresh(): Promise<number> {
  const index = Math.floor(Math.random() * chains.length);
  const token = chains[index];
  if (token === undefined) return tokenGrant();
  chains.splice(index, 1);
  const response = await fetch(`${base}/v1/token`, { method: 'POST', headers: form, body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'soak-web', refresh_token: token }) });
  const body = (await response.json().catch(() => ({}))) as { refresh_token?: string };
  if (body.refresh_token !== undefined) chains.push(body.refresh_token);
  return response.status;
}

const forwarded = { 'x-forwarded-proto': 'http', 'x-forwarded-host': `localhost:${port}`, 'x-forwarded-uri': '/app/page?x=1' };
function run(op: Op): Promise<number> {
  switch (op) {
    case 'session-check':
      return check('/v1/session');
    case 'forward-auth':
      return check('/v1/auth/check', forwarded);
    case 'refresh':
      return refresh();
    case 'login':
      return logIn();
    case 'logout':
      return logOut();
    case 'sign-up':
      return signUp();
    case 'token-grant':
      return tokenGrant();
  }
}

/** What a window of requests looked like; reset at each report. */
interface Window {
  latenciesMs: number[];
  errors: Map<string, number>;
  count: number;
}
const fresh = (): Window => ({ latenciesMs: [], errors: new Map(), count: 0 });
let window = fresh();

const p99 = (values: number[]): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] as number;
};

// Seed: a few accounts (sign-ups from distinct addresses), sessions and refresh chains.
for (let i = 0; i < 10; i += 1) await signUp();
for (let i = 0; i < 20; i += 1) await logIn();
for (let i = 0; i < 20; i += 1) await tokenGrant();

const startedAt = performance.now();
const endAt = startedAt + minutes * 60_000;
const perWorkerGapMs = (1000 * concurrency) / targetRate;
async function worker(): Promise<void> {
  let next = performance.now();
  while (performance.now() < endAt) {
    const op = pick();
    const t0 = performance.now();
    let status: number;
    try {
      status = await run(op);
    } catch (error) {
      status = 0;
      window.errors.set(`${op} ${error instanceof Error ? error.message : String(error)}`, (window.errors.get(`${op} threw`) ?? 0) + 1);
    }
    window.latenciesMs.push(performance.now() - t0);
    window.count += 1;
    // Expected answers: 2xx and 3xx; a 401 after a racing logout; 429 from the throttle.
    if (status >= 500 || status === 0) window.errors.set(`${op} ${status}`, (window.errors.get(`${op} ${status}`) ?? 0) + 1);
    next += perWorkerGapMs;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else next = performance.now();
  }
}

const mb = (bytes: number): string => (bytes / 1_048_576).toFixed(1);
const samples: Array<{ atMs: number; sample: SoakSample }> = [];
console.log(`soak: ${minutes} min, target ${targetRate} req/s over ${concurrency} workers, report every ${intervalSeconds} s; server (gatehouse serve) pid ${String(server.pid)} on ${base}`);
console.log('  time   req/s  errors  p99 ms   RSS MB  heap MB  of MB  ext MB  loop p99 ms  loop max ms  CPU us/req  GC %');
let previous = await sample();
let previousAtMs = 0;
let requests = 0;
const first = { sample: previous, requests };
const report = async (): Promise<void> => {
  const atMs = performance.now() - startedAt;
  const current = await sample();
  samples.push({ atMs, sample: current });
  requests += window.count;
  const cpuPerRequest = (current.cpuMicros - previous.cpuMicros) / Math.max(1, window.count);
  const gcShare = (100 * (current.gcMs - previous.gcMs)) / Math.max(1, atMs - previousAtMs);
  previous = current;
  previousAtMs = atMs;
  const errors = [...window.errors.values()].reduce((a, b) => a + b, 0);
  console.log(
    `  ${(atMs / 60_000).toFixed(1).padStart(4)}m ${(window.count / intervalSeconds).toFixed(0).padStart(6)} ${String(errors).padStart(7)} ${p99(window.latenciesMs).toFixed(1).padStart(7)} ${mb(current.rssBytes).padStart(8)} ${mb(current.heapUsedBytes).padStart(8)} ${mb(current.heapTotalBytes).padStart(6)} ${mb(current.externalBytes).padStart(7)} ${current.eventLoopDelayP99Ms.toFixed(1).padStart(12)} ${current.eventLoopDelayMaxMs.toFixed(1).padStart(12)} ${cpuPerRequest.toFixed(0).padStart(11)} ${gcShare.toFixed(1).padStart(5)}`,
  );
  for (const [what, n] of window.errors) console.log(`         error: ${what} x${n}`);
  window = fresh();
};
const timer = setInterval(() => void report(), intervalSeconds * 1000);
await Promise.all(Array.from({ length: concurrency }, worker));
clearInterval(timer);
await report();

const verdict = soakVerdict(
  samples.map((s) => ({ atMs: s.atMs, bytes: s.sample.rssBytes })),
  samples.map((s) => ({ atMs: s.atMs, bytes: s.sample.heapUsedBytes })),
);
const { rss, heap, finalRssMb, rising } = verdict;
const last = samples.at(-1)?.sample ?? first.sample;
console.log(`server CPU: ${((last.cpuMicros - first.sample.cpuMicros) / Math.max(1, requests - first.requests)).toFixed(0)} us per request over ${requests} requests; main-thread GC ${(last.gcMs - first.sample.gcMs).toFixed(0)} ms, of which ${last.scavenges - first.sample.scavenges} scavenges took ${(last.scavengeMs - first.sample.scavengeMs).toFixed(0)} ms`);
console.log(`trend over the last ${Math.min(minutes, 5)} min (${rss.points} samples): RSS ${rss.growthMb >= 0 ? '+' : ''}${rss.growthMb.toFixed(1)} MB / 5 min, heap ${heap.growthMb >= 0 ? '+' : ''}${heap.growthMb.toFixed(1)} MB / 5 min`);
console.log(`verdict: ${rising ? `UPWARD TREND (more than ${trendLimitMb} MB per 5 min)` : 'no upward trend'}; final RSS ${finalRssMb.toFixed(1)} MB (${verdict.withinTarget ? 'within' : 'ABOVE'} the ${rssTargetMb} MB target)`);
if (minutes < 5) console.log('  (a run shorter than 5 minutes says little about a trend)');
await printBreakdown('at the end');
if (restSeconds > 0) {
  await sleep(restSeconds * 1000);
  await printBreakdown(`after ${restSeconds} s idle`);
}
await stopServer(server);
process.exit(verdict.exitCode);
