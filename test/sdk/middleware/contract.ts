import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { AccessTokenClaims, Verifier } from '../../../packages/sdk/src/index.ts';
import { createVerifier } from '../../../packages/sdk/src/index.ts';
import { audience, fixedNowSeconds, flipByte, issuer, makeSigningKey, makeVerifier, mintAccessToken, type SigningKey } from '../support/tokens.ts';

/**
 * The middleware contract: one suite, run unchanged on every adapter (fastify, express, hono,
 * node:http), each behind a real HTTP server on 127.0.0.1:0, spoken to with fetch.
 *
 * `start` must serve `GET /notes` protected by the adapter with `{ realm: 'notes' }`. Its handler
 * passes the claims it was given to `record` and answers 200 with `claimsBody(claims)` (an adapter
 * may add members, checked by `checkBody`).
 */
export interface ProtectedServer {
  url: string;
  close(): Promise<void>;
}

export type StartProtectedServer = (verifier: Verifier, record: (claims: AccessTokenClaims) => void) => Promise<ProtectedServer>;

export function claimsBody(claims: AccessTokenClaims): Record<string, unknown> {
  return { sub: claims.sub, sid: claims.sid, client_id: claims.client_id, scope: claims.scope, jti: claims.jti };
}

/** The URL of a node:http server listening on an ephemeral loopback port. */
export function serverUrl(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Starts `server` on 127.0.0.1:0 and returns its URL and a close function. */
export async function listenOnLoopback(server: Server): Promise<ProtectedServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  return {
    url: serverUrl(server),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

const realmOnly = 'Bearer realm="notes"';
const invalidToken = (description: string): string => `Bearer realm="notes", error="invalid_token", error_description="${description}"`;

export function middlewareContract(framework: string, start: StartProtectedServer, checkBody: (body: Record<string, unknown>) => void = () => undefined): void {
  describe(`Gatehouse middleware contract: ${framework}`, () => {
    let key: SigningKey;
    let verifier: Verifier;
    let server: ProtectedServer;
    let unavailable: ProtectedServer;
    const seen: AccessTokenClaims[] = [];

    before(async () => {
      key = await makeSigningKey('ES256');
      verifier = makeVerifier([key]);
      server = await start(verifier, (claims) => seen.push(claims));
      // A JWKS that cannot be fetched: the verifier cannot decide, which is not the token's fault.
      const broken = createVerifier({ issuer, audience, jwks: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
      unavailable = await start(broken, (claims) => seen.push(claims));
    });
    after(async () => {
      await Promise.all([server?.close(), unavailable?.close()]);
      verifier?.close();
    });

    const get = (headers: Record<string, string> | Headers = {}, path = '/notes', target = server): Promise<Response> => fetch(`${target.url}${path}`, { headers });

    /** Sends the request and checks it was refused the RFC 6750 way, without the handler running. */
    async function assertRefusal(response: Response, status: number, challenge: string | null, code: string): Promise<void> {
      const before = seen.length;
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(response.headers.get('www-authenticate'), challenge);
      assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      assert.equal(body['code'], code);
      assert.equal(body['status'], status);
      assert.equal(seen.length, before, 'the protected handler did not run');
    }

    it('no Authorization header: 401 with a bare Bearer challenge, no error code (RFC 6750 3.1)', async () => {
      await assertRefusal(await get(), 401, realmOnly, 'token_missing');
    });

    it('another scheme (Basic) counts as no token: 401 without an error code', async () => {
      await assertRefusal(await get({ authorization: 'Basic dXNlcjpwYXNzd29yZA==' }), 401, realmOnly, 'token_missing');
    });

    it('a token in the query string is not read (RFC 6750 2.3 is not supported)', async () => {
      const token = await mintAccessToken(key);
      await assertRefusal(await get({}, `/notes?access_token=${token}`), 401, realmOnly, 'token_missing');
    });

    it('a malformed Bearer header: 401 invalid_token', async () => {
      const token = await mintAccessToken(key);
      const malformed = [
        'Bearer',
        'Bearer a b',
        `Bearer ${token} extra`,
        `Bearer ${token},`,
        `Bearer\t${token}`,
        `Bearer "${token}"`,
        `Bearer ${token}=x`,
        `Bearer ${token}, Bearer ${token}`,
        `Bearer${token}`,
      ];
      for (const authorization of malformed) {
        await assertRefusal(await get({ authorization }), 401, invalidToken('The access token is not a well-formed JWS compact JWT.'), 'token_malformed');
      }
    });

    it('two Authorization headers (joined by fetch into one list): 401 invalid_token, neither is picked', async () => {
      const headers = new Headers();
      headers.append('authorization', `Bearer ${await mintAccessToken(key)}`);
      headers.append('authorization', `Bearer ${await mintAccessToken(key)}`);
      await assertRefusal(await get(headers), 401, invalidToken('The access token is not a well-formed JWS compact JWT.'), 'token_malformed');
    });

    it('a token whose signature does not verify: 401 invalid_token', async () => {
      const tampered = flipByte(await mintAccessToken(key), 2, 5);
      await assertRefusal(await get({ authorization: `Bearer ${tampered}` }), 401, invalidToken('The access token signature does not verify.'), 'token_invalid_signature');
    });

    it('a b64token that is not a JWT: 401 invalid_token', async () => {
      await assertRefusal(await get({ authorization: 'Bearer mF_9.B5f-4.1JqM' }), 401, invalidToken('The access token is not a well-formed JWS compact JWT.'), 'token_malformed');
    });

    it('an expired token: 401 invalid_token', async () => {
      const expired = await mintAccessToken(key, { nowSeconds: fixedNowSeconds - 3600 });
      await assertRefusal(await get({ authorization: `Bearer ${expired}` }), 401, invalidToken('The access token has expired.'), 'token_expired');
    });

    it('a token for another audience: 401 invalid_token', async () => {
      const foreign = await mintAccessToken(key, { claims: { aud: 'https://other.example.test' } });
      await assertRefusal(await get({ authorization: `Bearer ${foreign}` }), 401, invalidToken('The access token is not meant for this audience.'), 'token_wrong_audience');
    });

    it('a valid token: 200, and the handler sees its claims', async () => {
      const token = await mintAccessToken(key, { claims: { sub: 'usr_valid', sid: 'ses_valid' } });
      const response = await get({ authorization: `Bearer ${token}` });
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(response.headers.get('www-authenticate'), null);
      const claims = seen.at(-1)!;
      assert.equal(claims.sub, 'usr_valid');
      assert.equal(claims.sid, 'ses_valid');
      assert.deepEqual(body, { ...claimsBody(claims), ...pickExtras(body) });
      assert.deepEqual({ sub: body['sub'], sid: body['sid'], client_id: body['client_id'], scope: body['scope'] }, { sub: 'usr_valid', sid: 'ses_valid', client_id: 'cli_notes', scope: 'notes:read notes:write' });
      checkBody(body);
    });

    it('the scheme is case-insensitive, and 1*SP may separate it from the token (RFC 6750 2.1)', async () => {
      const token = await mintAccessToken(key);
      for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `bEaReR ${token}`, `Bearer  ${token}`]) {
        const response = await get({ authorization });
        assert.equal(response.status, 200, authorization.slice(0, 8));
        await response.body?.cancel();
      }
    });

    it('a revoked session: 401 invalid_token, on the very next request', async () => {
      const token = await mintAccessToken(key, { claims: { sid: 'ses_to_revoke' } });
      const first = await get({ authorization: `Bearer ${token}` });
      assert.equal(first.status, 200);
      await first.body?.cancel();
      verifier.revoke({ sid: 'ses_to_revoke', expiresAtMs: (fixedNowSeconds + 600) * 1000 });
      await assertRefusal(await get({ authorization: `Bearer ${token}` }), 401, invalidToken('The access token has been revoked.'), 'token_revoked');
    });

    it('issuer keys unreachable: 503 and no Bearer challenge (not the token`s fault)', async () => {
      const token = await mintAccessToken(key);
      await assertRefusal(await get({ authorization: `Bearer ${token}` }, '/notes', unavailable), 503, null, 'verifier_unavailable');
    });
  });
}

/** Members an adapter added beyond claimsBody(). */
function pickExtras(body: Record<string, unknown>): Record<string, unknown> {
  const standard = new Set(['sub', 'sid', 'client_id', 'scope', 'jti']);
  return Object.fromEntries(Object.entries(body).filter(([name]) => !standard.has(name)));
}
