import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { benchDir, startChild, startHelper, type ChildHandle, type Pinning } from './lib/children.ts';
import { prepareGatehouse } from './lib/gatehouse-client.ts';
import { contentionThreshold, othersShare } from './lib/benchmarks.ts';
import { snapshotCores } from './lib/cpu-stat.ts';
import { median, renderSideTable, type SideTableRow } from './lib/report.ts';
import { oneFlow, type CodeFlowLoad, type CodeFlowResult } from './load/code-flow.ts';

/**
 * The OpenID code flow with an existing session (PERF.md): authorize -> code -> token per second,
 * Gatehouse against oidc-provider in the same run. Both servers run pinned to the server core,
 * one at a time under load; the load generator (bench/load/code-flow.ts) runs pinned to the
 * other core. Each round measures every subject (in alternating order), the first round is a
 * discarded warm-up, medians reported, of the clean rounds when there are any (other processes
 * took at most `contentionThreshold` of either core, for both sides of the pair).
 *
 * Like with like: two pairs, RS256 ID tokens on both sides (the default of both; the target is
 * for this pair) and ES256 on both (`bench-rp-es256` on each side), PKCE S256 and a public
 * client on both. Not alike, and printed with the table: Gatehouse also signs an ES256 JWT
 * access token and commits to SQLite; oidc-provider issues an opaque access token and keeps
 * everything in its memory adapter. Server CPU per flow is printed too: on a loaded machine it
 * is the steadier figure.
 *
 * What bounds the RS256 pair, in the same run: each round also times the RSA-2048 ID token
 * signature alone on the server core (bench/baselines/in-process.ts, `rs256-sign`), and the
 * table shows the ceiling it implies, oidc-provider's CPU per flow over one signature's CPU:
 * the best ratio any RS256 server could reach with no other work per flow.
 */

export interface CodeFlowBenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  runCount: number;
  pinning: Pinning;
  connections?: number;
}

const target = 3;
export const redirectUri = 'http://127.0.0.1/callback';

/** A cookie jar for one provider: name=value pairs, sent everywhere (paths do not matter here). */
class CookieJar {
  readonly #cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) this.#cookies.set((pair as string).slice(0, eq), (pair as string).slice(eq + 1));
    }
  }
  get header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Logs the demo user in at oidc-provider and consents once, through its interaction pages,
 * following redirects by hand so every cookie is kept: afterwards its session cookie alone gets a code.
 */
async function oidcProviderSession(issuer: string, clientId: string): Promise<string> {
  const jar = new CookieJar();
  const query = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' });
  let url = `${issuer}/auth?${query.toString()}`;
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(url, { headers: { cookie: jar.header }, redirect: 'manual' });
    jar.take(response);
    const location = response.headers.get('location');
    await response.body?.cancel();
    if (location === null) throw new Error(`oidc-provider login: ${response.status} at ${url}`);
    const next = new URL(location, url);
    if (next.href.startsWith(redirectUri)) return jar.header;
    const interaction = /^\/interaction\/([^/]+)$/.exec(next.pathname);
    if (interaction === null) {
      url = next.href;
      continue;
    }
    const details = await fetch(next, { headers: { cookie: jar.header } });
    const page = await details.text();
    const action = page.includes('/login"') ? 'login' : 'confirm';
    const submitted = await fetch(`${issuer}/interaction/${interaction[1] as string}/${action}`, {
      method: 'POST',
      headers: { cookie: jar.header, 'content-type': 'application/x-www-form-urlencoded' },
      body: action === 'login' ? new URLSearchParams({ username: 'demo', password: 'demo-password' }) : '',
      redirect: 'manual',
    });
    jar.take(submitted);
    await submitted.body?.cancel();
    url = new URL(submitted.headers.get('location') ?? '/', issuer).href;
  }
  throw new Error('oidc-provider login did not finish');
}

/** Runs the code-flow load generator (pinned to `core`) and returns what it measured; also used by bench/profile.ts. */
export async function measure(load: CodeFlowLoad, core: string | null): Promise<CodeFlowResult> {
  const child: ChildProcess = await startHelper('load/code-flow.ts', [JSON.stringify(load)], core);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('code-flow load did not finish')), (load.durationSeconds + 60) * 1000);
    child.on('message', (message: { type?: string; result?: CodeFlowResult }) => {
      if (message.type !== 'result' || message.result === undefined) return;
      clearTimeout(timer);
      resolve(message.result);
    });
    child.once('exit', () => setTimeout(() => reject(new Error('code-flow load exited without a result')), 1000).unref());
  });
}

type Subject = 'gatehouse RS256' | 'oidc-provider RS256' | 'gatehouse ES256' | 'oidc-provider ES256';

interface Run {
  round: number;
  flowsPerSecond: number;
  /** Server CPU per flow, microseconds: robust to a loaded machine where flows/s is not. */
  cpuMicrosPerFlow: number;
  contended: boolean;
}

/** The kernel's schedstat of a process's main thread (nanoseconds on a CPU, and runnable but waiting for one), or null off Linux. */
function mainThreadSchedstat(pid: number): { onCpuNs: number; waitingNs: number } | null {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${String(pid)}/task/${String(pid)}/schedstat`, 'utf8').split(' ').map(Number);
    return onCpu === undefined || waiting === undefined ? null : { onCpuNs: onCpu, waitingNs: waiting };
  } catch {
    return null;
  }
}

/**
 * One measured run of `load` against `server`, with its server CPU per flow and whether other
 * processes took more than `contentionThreshold` of the server's or the load generator's core.
 */
async function measuredRun(server: ChildHandle, load: CodeFlowLoad, pinning: Pinning, round: number): Promise<Run & { errors: number; firstError: string | null; loadCpuShare: number; serverCpuShare: number; mainThread: { onCpu: number; waiting: number } | null }> {
  const coresBefore = snapshotCores();
  const cpuBefore = await server.cpu();
  const schedBefore = mainThreadSchedstat(server.pid);
  const result = await measure(load, pinning.loadCore);
  const schedAfter = mainThreadSchedstat(server.pid);
  const cpuAfter = await server.cpu();
  const coresAfter = snapshotCores();
  // The server's main thread over the run: on its core, runnable but waiting for it (other
  // processes), or neither (idle: no request to work on, or blocked in a system call).
  const mainThread =
    schedBefore === null || schedAfter === null
      ? null
      : {
          onCpu: (schedAfter.onCpuNs - schedBefore.onCpuNs) / 1e9 / result.elapsedSeconds,
          waiting: (schedAfter.waitingNs - schedBefore.waitingNs) / 1e9 / result.elapsedSeconds,
        };
  const serverCpuSeconds = (cpuAfter.userMicros - cpuBefore.userMicros + cpuAfter.systemMicros - cpuBefore.systemMicros) / 1e6;
  const others = [othersShare(coresBefore, coresAfter, pinning.serverCore, serverCpuSeconds), othersShare(coresBefore, coresAfter, pinning.loadCore, result.cpuSeconds)];
  return {
    round,
    flowsPerSecond: result.flows / result.elapsedSeconds,
    cpuMicrosPerFlow: (serverCpuSeconds * 1e6) / Math.max(1, result.flows),
    contended: others.some((share) => share !== null && share > contentionThreshold),
    errors: result.errors,
    firstError: result.firstError,
    loadCpuShare: result.cpuSeconds / result.elapsedSeconds,
    serverCpuShare: serverCpuSeconds / result.elapsedSeconds,
    mainThread,
  };
}

/** Seconds of each round's RS256 signature run: enough for thousands of signatures. */
const signatureSeconds = 3;

interface SignatureRun {
  round: number;
  perSecond: number;
  /** CPU of the signing thread per signature, microseconds. */
  cpuMicrosPerSignature: number;
  contended: boolean;
}

/** The RSA-2048 (RS256) ID token signature alone, in the child pinned to the server core (bench/baselines/in-process.ts). */
async function signatureRun(signer: ChildHandle, pinning: Pinning, round: number, durationSeconds: number): Promise<SignatureRun> {
  const coresBefore = snapshotCores();
  const result = await signer.run({ kind: 'rs256-sign', durationSeconds });
  const coresAfter = snapshotCores();
  const cpuSeconds = result.threadCpuSeconds ?? result.elapsedSeconds;
  const others = othersShare(coresBefore, coresAfter, pinning.serverCore, cpuSeconds);
  return { round, perSecond: result.perSecond, cpuMicrosPerSignature: (cpuSeconds * 1e6) / Math.max(1, result.operations), contended: others !== null && others > contentionThreshold };
}

/**
 * The ceiling row: an RS256 server signs one RSA-2048 signature per flow whatever else it does,
 * so oidc-provider's CPU per flow divided by one signature's CPU is the best ratio any RS256
 * server could reach with zero other work. Measured in the same rounds as the flows (the clean
 * ones when there are any), on the same core.
 */
function signatureCeiling(signatureRuns: readonly SignatureRun[], ours: readonly Run[], theirs: readonly Run[], clean: readonly number[]) {
  const cleanSignatures = signatureRuns.filter((run) => !run.contended && (clean.length === 0 || clean.includes(run.round)));
  const picked = cleanSignatures.length > 0 ? cleanSignatures : signatureRuns;
  const pickFlows = (list: readonly Run[]): Run[] => (clean.length > 0 ? list.filter((run) => clean.includes(run.round)) : [...list]);
  const perSecond = median(picked.map((run) => run.perSecond));
  const signatureMicros = median(picked.map((run) => run.cpuMicrosPerSignature));
  const theirMicros = median(pickFlows(theirs).map((run) => run.cpuMicrosPerFlow));
  const ourMicros = median(pickFlows(ours).map((run) => run.cpuMicrosPerFlow));
  const ceiling = theirMicros / signatureMicros;
  const row: SideTableRow = {
    name: 'RSA-2048 RS256 signature alone (server core, no HTTP, no storage)',
    value: perSecond,
    unit: 'signs/s',
    runs: picked.map((run) => run.perSecond),
    baseline: 'oidc-provider RS256, CPU',
    ratio: ceiling,
    target: '-',
    result: cleanSignatures.length > 0 ? `ceiling (${cleanSignatures.length} of ${signatureRuns.length} rounds clean)` : 'ceiling (no clean round)',
  };
  const budget = theirMicros / target;
  const lines = [
    `RS256 ceiling: one RSA-2048 signature costs ${signatureMicros.toFixed(0)} us of CPU on the server core (${perSecond.toFixed(0)} signs/s); oidc-provider's RS256 flow costs ${theirMicros.toFixed(0)} us,`,
    `  so no RS256 server can pass ${ceiling.toFixed(2)}x by CPU, even doing nothing else. ${target}x needs <= ${budget.toFixed(0)} us per flow: ${(budget - signatureMicros).toFixed(0)} us beside the signature;`,
    `  Gatehouse's RS256 flow spends ${ourMicros.toFixed(0)} us, ${(ourMicros - signatureMicros).toFixed(0)} us beside the signature (two HTTP requests, the session check, an ES256 access token, the durable code write and exchange).`,
  ];
  return { row, lines, summary: { perSecond, cpuMicrosPerSignature: signatureMicros, ceilingByCpu: ceiling, budgetMicrosFor3x: budget, gatehouseMicrosBesideSignature: ourMicros - signatureMicros } };
}

/** `npm run bench` (or `--only code-flow`): prints its table and writes bench/results/code-flow.json. */
export async function codeFlowBenchmarks(options: CodeFlowBenchOptions): Promise<SideTableRow[]> {
  const { durationSeconds, warmupSeconds, runCount, pinning } = options;
  const connections = options.connections ?? 50;
  console.log('\ncode flow with an existing session (authorize -> code -> token), Gatehouse vs oidc-provider, RS256 and ES256 ID tokens');
  const children: ChildHandle[] = [];
  try {
    const gatehouse = await startChild({ name: 'gatehouse server', script: 'servers/gatehouse.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 });
    children.push(gatehouse);
    const peer = await startChild({ name: 'oidc-provider', script: 'servers/oidc-provider.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 });
    children.push(peer);
    // The RS256 signature alone, on the same core, in every round: what bounds an RS256 flow.
    const signer = await startChild({ name: 'RS256 signer', script: 'baselines/in-process.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 });
    children.push(signer);
    const gatehouseUrl = `http://127.0.0.1:${String(gatehouse.port)}`;
    const prepared = await prepareGatehouse(gatehouseUrl, 1, 24);
    const issuer = peer.info['issuer'] as string;
    const gatehouseLoad = (clientId: string): Omit<CodeFlowLoad, 'durationSeconds'> => ({
      authorizationEndpoint: `${gatehouseUrl}/oauth2/authorize`,
      tokenEndpoint: `${gatehouseUrl}/v1/token`,
      clientId,
      redirectUri,
      scope: 'openid',
      cookie: prepared.sessionCookie,
      connections,
    });
    // oidc-provider keeps a consent (Grant) per client: each client gets its own logged-in session.
    const peerLoad = async (clientId: string): Promise<Omit<CodeFlowLoad, 'durationSeconds'>> => ({
      authorizationEndpoint: `${issuer}/auth`,
      tokenEndpoint: `${issuer}/token`,
      clientId,
      redirectUri,
      scope: 'openid',
      cookie: await oidcProviderSession(issuer, clientId),
      connections,
    });
    const subjects: Record<Subject, { server: ChildHandle; load: Omit<CodeFlowLoad, 'durationSeconds'> }> = {
      'gatehouse RS256': { server: gatehouse, load: gatehouseLoad(gatehouse.info['codeFlowClientId'] as string) },
      'oidc-provider RS256': { server: peer, load: await peerLoad(peer.info['clientId'] as string) },
      'gatehouse ES256': { server: gatehouse, load: gatehouseLoad(gatehouse.info['codeFlowEs256ClientId'] as string) },
      'oidc-provider ES256': { server: peer, load: await peerLoad(peer.info['es256ClientId'] as string) },
    };
    // Every subject must complete a flow before anything is measured: a benchmark of errors measures nothing.
    for (const [name, subject] of Object.entries(subjects)) {
      try {
        await oneFlow({ ...subject.load, durationSeconds: 0 });
      } catch (error) {
        console.log(`  NOT MEASURED: ${name} did not complete a code flow (${error instanceof Error ? error.message : String(error)})`);
        return [];
      }
    }

    const runs: Record<Subject, Run[]> = { 'gatehouse RS256': [], 'oidc-provider RS256': [], 'gatehouse ES256': [], 'oidc-provider ES256': [] };
    const signatureRuns: SignatureRun[] = [];
    const names = Object.keys(subjects) as Subject[];
    for (let round = 0; round <= runCount; round += 1) {
      const seconds = round === 0 ? warmupSeconds : durationSeconds;
      const signatures = await signatureRun(signer, pinning, round, Math.min(seconds, signatureSeconds));
      console.log(`  round ${round}${round === 0 ? ' (warm-up)' : ''}: RSA-2048 RS256 signature alone ${signatures.perSecond.toFixed(0).padStart(5)} signs/s, ${signatures.cpuMicrosPerSignature.toFixed(0)} us of CPU each${signatures.contended ? ' (contended)' : ''}`);
      if (round > 0) signatureRuns.push(signatures);
      // Alternate the order, so neither side always runs right after the other's load.
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const run = await measuredRun(subjects[name].server, { ...subjects[name].load, durationSeconds: seconds }, pinning, round);
        if (run.errors > 0) console.log(`  ${name}: ${run.errors} failed flows (first: ${run.firstError ?? ''})`);
        console.log(`  round ${round}${round === 0 ? ' (warm-up)' : ''}: ${name.padEnd(19)} ${run.flowsPerSecond.toFixed(0).padStart(5)} flows/s, server CPU ${run.cpuMicrosPerFlow.toFixed(0)} us/flow (server ${(run.serverCpuShare * 100).toFixed(0)}% of its core, load generator ${(run.loadCpuShare * 100).toFixed(0)}%${run.mainThread === null ? '' : `; server main thread on CPU ${(run.mainThread.onCpu * 100).toFixed(0)}%, waiting for its core ${(run.mainThread.waiting * 100).toFixed(0)}%, idle ${(Math.max(0, 1 - run.mainThread.onCpu - run.mainThread.waiting) * 100).toFixed(0)}%`})${run.contended ? ' (contended)' : ''}`);
        if (round > 0) runs[name].push(run);
      }
    }

    const rows: SideTableRow[] = [];
    const summary: Record<string, unknown> = {};
    for (const alg of ['RS256', 'ES256'] as const) {
      const ours = runs[`gatehouse ${alg}`];
      const theirs = runs[`oidc-provider ${alg}`];
      // Clean rounds only, when there are any: both sides of the round uncontended.
      const clean = ours.filter((run) => !run.contended && theirs.some((t) => t.round === run.round && !t.contended)).map((run) => run.round);
      const pick = (list: Run[]): Run[] => (clean.length > 0 ? list.filter((run) => clean.includes(run.round)) : list);
      const ourRate = median(pick(ours).map((run) => run.flowsPerSecond));
      const theirRate = median(pick(theirs).map((run) => run.flowsPerSecond));
      const ratio = ourRate / theirRate;
      const cpuRatio = median(pick(theirs).map((run) => run.cpuMicrosPerFlow)) / median(pick(ours).map((run) => run.cpuMicrosPerFlow));
      const rounds = clean.length > 0 ? `${clean.length} of ${ours.length} rounds clean` : `no clean round (of ${ours.length}): contended figures`;
      rows.push(
        { name: `oidc-provider 9 code flow, ${alg} ID token (memory adapter)`, value: theirRate, unit: 'flows/s', runs: pick(theirs).map((run) => run.flowsPerSecond), baseline: '-', ratio: null, target: '-', result: 'baseline' },
        {
          name: `Gatehouse code flow, ${alg} ID token (SQLite, durable)`,
          value: ourRate,
          unit: 'flows/s',
          runs: pick(ours).map((run) => run.flowsPerSecond),
          baseline: `oidc-provider ${alg}`,
          ratio,
          target: alg === 'RS256' ? `>= ${target.toFixed(2)}x` : '-',
          result: alg === 'RS256' ? (ratio >= target ? 'PASS' : `MISS by ${((1 - ratio / target) * 100).toFixed(0)}%`) : `(${rounds})`,
        },
      );
      summary[alg] = { ratio, cpuRatio, rounds, gatehouseCpuMicrosPerFlow: median(pick(ours).map((run) => run.cpuMicrosPerFlow)), oidcProviderCpuMicrosPerFlow: median(pick(theirs).map((run) => run.cpuMicrosPerFlow)) };
      console.log(`  ${alg}: ${rounds}; server CPU per flow ${median(pick(ours).map((run) => run.cpuMicrosPerFlow)).toFixed(0)} us (Gatehouse) vs ${median(pick(theirs).map((run) => run.cpuMicrosPerFlow)).toFixed(0)} us (oidc-provider): ${cpuRatio.toFixed(2)}x by CPU`);
      if (alg === 'RS256') {
        const ceiling = signatureCeiling(signatureRuns, ours, theirs, clean);
        rows.push(ceiling.row);
        summary['RS256 signature'] = ceiling.summary;
        for (const line of ceiling.lines) console.log(`  ${line}`);
      }
    }
    console.log(`\n${renderSideTable(rows)}`);
    console.log(`  ${connections} flows in flight; each flow is 2 requests (authorize with the session cookie, then the token request with the PKCE verifier).`);
    console.log('  Both sides: PKCE S256, a public client, a consent already given. Gatehouse also signs an ES256 access token (RFC 9068 JWT) and commits to SQLite;');
    console.log('  oidc-provider issues an opaque access token and keeps everything in its memory adapter (not durable, not shared between instances).');
    mkdirSync(`${benchDir}results`, { recursive: true });
    writeFileSync(`${benchDir}results/code-flow.json`, `${JSON.stringify({ finishedAt: new Date().toISOString(), pinning, durationSeconds, runCount, connections, rows, summary, runs, signatureRuns }, null, 2)}\n`);
    console.log('  written to bench/results/code-flow.json');
    return rows;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}
