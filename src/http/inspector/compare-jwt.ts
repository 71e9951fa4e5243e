import { performance } from 'node:perf_hooks';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { createClient } from '../../core/clients/create-client.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { hashReference } from '../../core/trace/hash-reference.ts';
import { elapsedMs, fieldsOf, type CompareColumn, type CompareContext } from './compare-measure.ts';

const spaId = 'inspector-compare-spa';
const apiId = 'inspector-compare-api';
const feedTimeoutMs = 5000;

/** The comparison's own clients, made fresh for each run and deleted after it. */
async function freshClients(context: CompareContext): Promise<{ feedSecret: string }> {
  await context.deps.store.clients.delete(spaId);
  await context.deps.store.clients.delete(apiId);
  await createClient(context.deps, { id: spaId, name: 'Inspector comparison (app)', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.compare.invalid' });
  const api = await createClient(context.deps, { id: apiId, name: 'Inspector comparison (API)', type: 'confidential', grantTypes: ['session'], audience: 'https://api.compare.invalid' });
  return { feedSecret: api.secret ?? '' };
}

/**
 * Follows the revocation feed as an API would (Server-Sent Events over loopback to this very
 * server) and resolves with the time the next revocation arrives, or null after a few seconds.
 */
async function followFeed(port: number, feedSecret: string): Promise<{ ready: Promise<void>; next: Promise<number | null>; stop: () => void }> {
  const abort = new AbortController();
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const next = (async (): Promise<number | null> => {
    const timer = setTimeout(() => abort.abort(), feedTimeoutMs);
    try {
      const response = await fetch(`http://127.0.0.1:${String(port)}/v1/revocations`, {
        headers: { accept: 'text/event-stream', authorization: `Basic ${Buffer.from(`${apiId}:${feedSecret}`).toString('base64')}` },
        signal: abort.signal,
      });
      const reader = response.body?.getReader();
      if (reader === undefined) return null;
      const decoder = new TextDecoder();
      let text = '';
      let readyAt = -1;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return null;
        text += decoder.decode(value);
        if (readyAt === -1 && text.includes('event: ready')) {
          readyAt = text.length;
          markReady();
        }
        if (readyAt !== -1 && text.slice(readyAt).includes('event: revocation')) return performance.now();
      }
    } catch {
      markReady();
      return null;
    } finally {
      clearTimeout(timer);
    }
  })();
  return { ready, next, stop: () => abort.abort() };
}

/** A JWT access token with a rotating refresh token: verified by signature, no lookup. */
export async function measureJwt(context: CompareContext, tokens: TokenDeps, email: string, password: string): Promise<CompareColumn> {
  const { feedSecret } = await freshClients(context);
  try {
    const startedAt = performance.now();
    const grant = await context.app.inject({ method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: 'password', username: email, password, client_id: spaId }).toString() });
    const loginMs = elapsedMs(startedAt);
    if (grant.statusCode !== 200) throw new Error(`the password grant answered ${String(grant.statusCode)}`);
    const issued = grant.json<{ access_token: string; refresh_token: string; expires_in: number }>();
    const refreshStartedAt = performance.now();
    const refresh = await context.app.inject({ method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: issued.refresh_token, client_id: spaId }).toString() });
    const refreshMs = elapsedMs(refreshStartedAt);
    const current = refresh.statusCode === 200 ? refresh.json<{ access_token: string; refresh_token: string; expires_in: number }>() : issued;
    const row = await context.recorder.muted(() => context.deps.store.refreshTokens.findById(current.refresh_token.split('.')[0] ?? ''));

    // What an API does per request: verify the signature and claims against the cached JWKS.
    const jwks = createLocalJWKSet(await tokens.keyRing.publicJwks());
    const verify = (): Promise<unknown> => jwtVerify(current.access_token, jwks, { issuer: tokens.issuer, audience: 'https://api.compare.invalid', typ: 'at+jwt' });
    await verify();
    const workStartedAt = performance.now();
    for (let i = 0; i < context.iterations; i += 1) await verify();
    const workMicros = Math.round(((performance.now() - workStartedAt) * 1000) / context.iterations);

    // Logout: the refresh token is revoked; the access token itself still verifies until exp,
    // unless the API follows the revocation feed.
    const address = context.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const feed = port === 0 ? null : await followFeed(port, feedSecret);
    await feed?.ready;
    const revokedAt = performance.now();
    await context.app.inject({ method: 'POST', url: '/v1/token/revoke', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ token: current.refresh_token, client_id: spaId }).toString() });
    const arrivedAt = feed === null ? null : await feed.next;
    feed?.stop();
    const stillVerifies = await verify().then(() => true, () => false);
    const exp = decodeJwt(current.access_token).exp ?? 0;
    const feedMs = arrivedAt === null ? null : Math.round((arrivedAt - revokedAt) * 100) / 100;
    return {
      name: 'JWT + refresh token',
      loginMs,
      loginNote: `one request (the password grant); each refresh then took ${String(refreshMs)} ms and rotates the refresh token`,
      serverStores: [
        row === null ? 'a refresh token row' : `a refresh token row: ${fieldsOf(row)}; the secret only as ${hashReference(row.secretHash)}`,
        'the session the tokens belong to (so logout can end them)',
        'signing keys (the private key encrypted; the public half served as the JWKS)',
      ],
      clientHolds: [
        `an access token: a ${String(current.access_token.length)}-character signed JWT (claims ${Object.keys(decodeJwt(current.access_token)).join(', ')}), readable by the app, sent as a Bearer header`,
        `a refresh token (${String(current.refresh_token.length)} characters, id.secret) to keep secret; a browser app gets it as an HttpOnly cookie instead`,
      ],
      workMicros,
      workNote: 'per request at the API: one signature check and the claims (iss, aud, exp, typ) against cached keys; no storage read',
      logoutMs: feedMs,
      logoutNote:
        `${feedMs === null ? 'the revocation feed did not answer' : `an API following the revocation feed refused it ${String(feedMs)} ms after the revoke`}; ` +
        `an API checking only the signature ${stillVerifies ? `still accepts the access token until it expires, ${String(Math.max(0, exp - Math.floor(context.deps.clock.nowMs() / 1000)))} s from now` : 'refused it'}`,
      scaling: 'any number of APIs verify without asking the server (the JWKS is cached); the price is the revocation feed, or living with tokens valid until exp (5 minutes here)',
    };
  } finally {
    await context.deps.store.clients.delete(spaId);
    await context.deps.store.clients.delete(apiId);
  }
}
