import { mkdirSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { benchDir, startChild, startHelper, type ChildHandle, type Pinning } from './lib/children.ts';
import { prepareGatehouse } from './lib/gatehouse-client.ts';
import { median, renderSideTable, type SideTableRow } from './lib/report.ts';
import { oneFlow, type CodeFlowLoad, type CodeFlowResult } from './load/code-flow.ts';

/**
 * The OpenID code flow with an existing session (PERF.md): authorize -> code -> token per second,
 * Gatehouse against oidc-provider in the same run. Both servers run pinned to the server core,
 * one at a time under load; the load generator (bench/load/code-flow.ts) runs pinned to the
 * other core. Each round measures both, the first round is a discarded warm-up, medians reported.
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

/** `npm run bench` (or `--only code-flow`): prints its table and writes bench/results/code-flow.json. */
export async function codeFlowBenchmarks(options: CodeFlowBenchOptions): Promise<SideTableRow[]> {
  const { durationSeconds, warmupSeconds, runCount, pinning } = options;
  const connections = options.connections ?? 20;
  console.log('\ncode flow with an existing session (authorize -> code -> token), Gatehouse vs oidc-provider');
  const children: ChildHandle[] = [];
  try {
    const gatehouse = await startChild({ name: 'gatehouse server', script: 'servers/gatehouse.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 });
    children.push(gatehouse);
    const peer = await startChild({ name: 'oidc-provider', script: 'servers/oidc-provider.ts', core: pinning.serverCore, readyTimeoutMs: 60_000 });
    children.push(peer);
    const gatehouseUrl = `http://127.0.0.1:${String(gatehouse.port)}`;
    const prepared = await prepareGatehouse(gatehouseUrl, 1, 24);
    const issuer = peer.info['issuer'] as string;
    const loads: Record<'gatehouse' | 'oidc-provider', Omit<CodeFlowLoad, 'durationSeconds'>> = {
      gatehouse: {
        authorizationEndpoint: `${gatehouseUrl}/oauth2/authorize`,
        tokenEndpoint: `${gatehouseUrl}/v1/token`,
        clientId: gatehouse.info['codeFlowClientId'] as string,
        redirectUri,
        scope: 'openid',
        cookie: prepared.sessionCookie,
        connections,
      },
      'oidc-provider': {
        authorizationEndpoint: `${issuer}/auth`,
        tokenEndpoint: `${issuer}/token`,
        clientId: peer.info['clientId'] as string,
        redirectUri,
        scope: 'openid',
        cookie: await oidcProviderSession(issuer, peer.info['clientId'] as string),
        connections,
      },
    };
    // Both must complete a flow before anything is measured: a benchmark of errors measures nothing.
    for (const [name, load] of Object.entries(loads)) {
      try {
        await oneFlow({ ...load, durationSeconds: 0 });
      } catch (error) {
        console.log(`  NOT MEASURED: ${name} did not complete a code flow (${error instanceof Error ? error.message : String(error)})`);
        return [];
      }
    }

    const runs: Record<keyof typeof loads, number[]> = { gatehouse: [], 'oidc-provider': [] };
    for (let round = 0; round <= runCount; round += 1) {
      const seconds = round === 0 ? warmupSeconds : durationSeconds;
      for (const name of Object.keys(loads) as (keyof typeof loads)[]) {
        const result = await measure({ ...loads[name], durationSeconds: seconds }, pinning.loadCore);
        const perSecond = result.flows / result.elapsedSeconds;
        if (result.errors > 0) console.log(`  ${name}: ${result.errors} failed flows (first: ${result.firstError ?? ''})`);
        console.log(`  round ${round}${round === 0 ? ' (warm-up)' : ''}: ${name} ${perSecond.toFixed(0)} flows/s`);
        if (round > 0) runs[name].push(perSecond);
      }
    }
    const ours = median(runs.gatehouse);
    const theirs = median(runs['oidc-provider']);
    const ratio = ours / theirs;
    const rows: SideTableRow[] = [
      { name: 'oidc-provider 9 code flow (memory adapter)', value: theirs, unit: 'flows/s', runs: runs['oidc-provider'], baseline: '-', ratio: null, target: '-', result: 'baseline' },
      { name: 'Gatehouse code flow (SQLite)', value: ours, unit: 'flows/s', runs: runs.gatehouse, baseline: 'oidc-provider', ratio, target: `>= ${target.toFixed(2)}x`, result: ratio >= target ? 'PASS' : `MISS by ${((1 - ratio / target) * 100).toFixed(0)}%` },
    ];
    console.log(
      `\n${renderSideTable(rows)}`,
    );
    console.log(`  ${connections} flows in flight; each flow is 2 requests (authorize with the session cookie, then the token request with the PKCE verifier).`);
    mkdirSync(`${benchDir}results`, { recursive: true });
    writeFileSync(`${benchDir}results/code-flow.json`, `${JSON.stringify({ finishedAt: new Date().toISOString(), pinning, durationSeconds, runCount, connections, rows }, null, 2)}\n`);
    console.log('  written to bench/results/code-flow.json');
    return rows;
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}
