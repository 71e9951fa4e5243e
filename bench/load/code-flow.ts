import { createHash, randomBytes } from 'node:crypto';
import autocannon, { type AutocannonRequest } from 'autocannon';

/**
 * The load generator of the code-flow benchmark (bench/code-flow.ts), in its own process pinned
 * to the load core: `connections` keep-alive connections (autocannon), each running the whole flow of a relying party whose
 * user already has a session at the provider: GET the authorization endpoint with the session
 * cookie (PKCE S256, a fresh verifier each time), take the code from the redirect, POST it to the
 * token endpoint. A flow counts when the token response is 200 with an access token.
 * `oneFlow` (the check before measuring) does the same with fetch.
 */

export interface CodeFlowLoad {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  /** The Cookie header of the provider session. */
  cookie: string;
  connections: number;
  durationSeconds: number;
}

export interface CodeFlowResult {
  flows: number;
  errors: number;
  firstError: string | null;
  elapsedSeconds: number;
  /** CPU the load generator itself used (to tell another process's use of its core from its own). */
  cpuSeconds: number;
}

/** One flow; throws with what went wrong. */
export async function oneFlow(load: CodeFlowLoad): Promise<void> {
  const { path, verifier } = authorizationRequest(load);
  const authorized = await fetch(new URL(path, load.authorizationEndpoint), { headers: { cookie: load.cookie }, redirect: 'manual' });
  await authorized.body?.cancel();
  const location = authorized.headers.get('location');
  const code = location === null ? null : new URL(location, load.authorizationEndpoint).searchParams.get('code');
  if (code === null) throw new Error(`authorize answered ${authorized.status} ${location ?? ''}`);
  const token = await fetch(load.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: load.redirectUri, client_id: load.clientId, code_verifier: verifier }),
  });
  const body = (await token.json()) as { access_token?: string };
  if (token.status !== 200 || typeof body.access_token !== 'string') throw new Error(`token answered ${token.status} ${JSON.stringify(body).slice(0, 200)}`);
}

/** The PKCE pair and authorization request path of one flow. */
function authorizationRequest(load: CodeFlowLoad): { path: string; verifier: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({ client_id: load.clientId, redirect_uri: load.redirectUri, response_type: 'code', scope: load.scope, state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'), code_challenge: challenge, code_challenge_method: 'S256' });
  return { path: `${new URL(load.authorizationEndpoint).pathname}?${query.toString()}`, verifier };
}

/**
 * The measured run, on autocannon's HTTP/1.1 client (keep-alive, one flow in flight per
 * connection): its per-request cost is a fraction of fetch's, so the load generator's core does
 * not cap the faster server. Measured on a loaded machine: with fetch the load generator took
 * 1,250 to 1,520 us of CPU per flow, more than Gatehouse's server (500 to 1,100); on autocannon
 * it takes 200 to 320.
 */
async function run(load: CodeFlowLoad): Promise<CodeFlowResult> {
  const authorization = new URL(load.authorizationEndpoint);
  const token = new URL(load.tokenEndpoint);
  if (authorization.origin !== token.origin) throw new Error('the authorization and token endpoints must share an origin');
  let flows = 0;
  let errors = 0;
  let firstError: string | null = null;
  const fail = (message: string): void => {
    errors += 1;
    firstError ??= message;
  };
  interface FlowContext {
    verifier?: string;
    code?: string | null;
  }
  const requests: AutocannonRequest[] = [
    {
      method: 'GET',
      headers: { cookie: load.cookie },
      setupRequest: (request, context: FlowContext) => {
        const next = authorizationRequest(load);
        context.verifier = next.verifier;
        return { ...request, path: next.path };
      },
      onResponse: (status, _body, context: FlowContext, headers) => {
        // Raw header names, as sent: koa writes "Location", fastify "location".
        const location = headers['location'] ?? headers['Location'];
        context.code = typeof location === 'string' ? new URL(location, authorization).searchParams.get('code') : null;
        if (context.code === null) fail(`authorize answered ${String(status)} ${typeof location === 'string' ? location : ''}`);
      },
    },
    {
      method: 'POST',
      path: token.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      // No code: back to the authorization request (autocannon restarts the sequence).
      setupRequest: (request, context: FlowContext) =>
        typeof context.code !== 'string' || context.verifier === undefined
          ? null
          : { ...request, body: new URLSearchParams({ grant_type: 'authorization_code', code: context.code, redirect_uri: load.redirectUri, client_id: load.clientId, code_verifier: context.verifier }).toString() },
      onResponse: (status, body) => {
        let accessToken: unknown;
        try {
          accessToken = (JSON.parse(body) as { access_token?: unknown }).access_token;
        } catch {
          accessToken = undefined;
        }
        if (status === 200 && typeof accessToken === 'string') flows += 1;
        else fail(`token answered ${String(status)} ${body.slice(0, 200)}`);
      },
    },
  ];
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const instance = autocannon({ url: authorization.origin, connections: load.connections, duration: load.durationSeconds, requests });
  process.on('disconnect', () => instance.stop());
  const result = await instance;
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (result.errors > 0 || result.timeouts > 0) fail(`${String(result.errors)} connection errors, ${String(result.timeouts)} timeouts`);
  return { flows, errors, firstError, elapsedSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

if (process.send !== undefined) {
  process.send({ type: 'ready' });
  const load = JSON.parse(process.argv[2] as string) as CodeFlowLoad;
  const result = await run(load);
  process.send({ type: 'result', result });
  process.disconnect();
}
