import { createHash, randomBytes } from 'node:crypto';

/**
 * The load generator of the code-flow benchmark (bench/code-flow.ts), in its own process pinned
 * to the load core: `connections` loops, each running the whole flow of a relying party whose
 * user already has a session at the provider: GET the authorization endpoint with the session
 * cookie (PKCE S256, a fresh verifier each time), take the code from the redirect, POST it to the
 * token endpoint. A flow counts when the token response is 200 with an access token.
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
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({ client_id: load.clientId, redirect_uri: load.redirectUri, response_type: 'code', scope: load.scope, state: randomBytes(8).toString('base64url'), nonce: randomBytes(8).toString('base64url'), code_challenge: challenge, code_challenge_method: 'S256' });
  const authorized = await fetch(`${load.authorizationEndpoint}?${query.toString()}`, { headers: { cookie: load.cookie }, redirect: 'manual' });
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

async function run(load: CodeFlowLoad): Promise<CodeFlowResult> {
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  const endAt = startedAt + load.durationSeconds * 1000;
  let flows = 0;
  let errors = 0;
  let firstError: string | null = null;
  await Promise.all(
    Array.from({ length: load.connections }, async () => {
      while (performance.now() < endAt) {
        try {
          await oneFlow(load);
          flows += 1;
        } catch (error) {
          errors += 1;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return { flows, errors, firstError, elapsedSeconds: (performance.now() - startedAt) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

if (process.send !== undefined) {
  process.send({ type: 'ready' });
  const load = JSON.parse(process.argv[2] as string) as CodeFlowLoad;
  const result = await run(load);
  process.send({ type: 'result', result });
  process.disconnect();
}
