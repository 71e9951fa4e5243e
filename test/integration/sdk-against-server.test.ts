// The resource-server SDK against a real Gatehouse: real HTTP, the real JWKS, real tokens.
// Covers the whole path a resource server depends on (sign-up, password grant, session token,
// JWKS fetch, verification), docs/security.md SEC-34 end to end, and a key rotation.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import { createClient } from '../../src/core/clients/create-client.ts';
import { createVerifier, fastifyGatehouse, type AccessTokenClaims, type FastifyRequestLike, type Verifier } from '../../packages/sdk/src/index.ts';
import { testPassword } from '../support/core-deps.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';
import { assertRefused } from '../sdk/support/tokens.ts';

const audience = 'https://api.example.com';
const email = 'ada@example.com';

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
}

async function passwordGrant(baseUrl: string, clientId: string): Promise<TokenResponse> {
  const response = await fetch(`${baseUrl}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: email, password: testPassword, client_id: clientId }),
  });
  const body = (await response.json()) as TokenResponse;
  assert.equal(response.status, 200, JSON.stringify(body));
  return body;
}

describe('@gatehouse/sdk against a real Gatehouse server', () => {
  let server: TestServer;
  let clientId: string;
  let user: { id: string };
  let signUpSessionId: string;
  let sessionCookie: string;
  let tokens: TokenResponse;
  let verifier: Verifier;

  before(async () => {
    // Publish-ahead 0: a rotated-in key signs at once, so the rotation test needs no waiting.
    server = await startTestServer({ env: { GATEHOUSE_KEY_PUBLISH_AHEAD_SECONDS: '0' } });
    const { client } = await createClient(server.gatehouse.deps, {
      name: 'Notes app',
      type: 'public',
      grantTypes: ['password', 'refresh_token', 'session'],
      audience,
    });
    clientId = client.id;

    const signUp = await fetch(`${server.url}/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, password: testPassword }),
    });
    assert.equal(signUp.status, 202, await signUp.text());
    // Sign-up never logs in: the first session comes from a login.
    const logIn = await fetch(`${server.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ email, password: testPassword }),
    });
    const signedUp = (await logIn.json()) as { user: { id: string }; session: { id: string } };
    assert.equal(logIn.status, 200, JSON.stringify(signedUp));
    user = signedUp.user;
    signUpSessionId = signedUp.session.id;
    const cookie = logIn.headers.getSetCookie().find((line) => line.startsWith('__Host-gatehouse_session='));
    assert.ok(cookie, 'the login sets the session cookie');
    sessionCookie = cookie.split(';')[0]!;

    tokens = await passwordGrant(server.url, clientId);
    verifier = createVerifier({ issuer: server.url, audience });
  });
  after(async () => {
    verifier?.close();
    await server?.close();
  });

  it('verifies a password-grant access token with the JWKS fetched from /.well-known/jwks.json', async () => {
    assert.match(server.url, /^http:\/\/localhost:\d+$/, 'plain http, allowed because the issuer is on loopback');
    const claims = await verifier.verify(tokens.access_token);
    assert.equal(claims.iss, server.url);
    assert.equal(claims.aud, audience);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.client_id, clientId);
    assert.equal(claims.scope, '');
    assert.equal('scope' in claims.payload, false, 'no empty scope claim');
    assert.deepEqual(claims.amr, ['pwd'], 'a password login (RFC 8176)');
    assert.ok(claims.auth_time !== undefined && claims.auth_time <= claims.iat && claims.iat - claims.auth_time < 600, 'auth_time: the login, just before');
    assert.equal(claims.exp - claims.iat, tokens.expires_in);
    // The password grant opens a session of its own: the token's sid is one of the user's sessions.
    const sessions = await fetch(`${server.url}/v1/sessions`, { headers: { cookie: sessionCookie } });
    const listed = ((await sessions.json()) as { sessions: { id: string }[] }).sessions.map((session) => session.id);
    assert.ok(listed.includes(claims.sid!), `${claims.sid} in ${listed.join(', ')}`);
    assert.notEqual(claims.sid, signUpSessionId);
  });

  it('verifies the token from POST /v1/session/token, bound to the cookie session', async () => {
    const response = await fetch(`${server.url}/v1/session/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url, cookie: sessionCookie },
      body: JSON.stringify({ client_id: clientId }),
    });
    const body = (await response.json()) as TokenResponse;
    assert.equal(response.status, 200, JSON.stringify(body));
    const claims = await verifier.verify(body.access_token);
    assert.equal(claims.sub, user.id);
    assert.equal(claims.sid, signUpSessionId);
    assert.equal(claims.client_id, clientId);
  });

  describe('SEC-34: a refresh token sent as a bearer access token', () => {
    let resourceServer: FastifyInstance;
    let resourceUrl: string;
    before(async () => {
      resourceServer = Fastify();
      resourceServer.decorateRequest('gatehouse', null);
      resourceServer.get('/notes', { preHandler: fastifyGatehouse(verifier, { realm: 'notes' }) }, async (request) => {
        const claims = (request as FastifyRequestLike).gatehouse as AccessTokenClaims;
        return { owner: claims.sub };
      });
      await resourceServer.listen({ host: '127.0.0.1', port: 0 });
      resourceUrl = `http://127.0.0.1:${(resourceServer.server.address() as AddressInfo).port}`;
    });
    after(() => resourceServer?.close());

    it('is refused by the verifier as token_malformed (it is an opaque id.secret, not a JWS)', async () => {
      assert.ok(tokens.refresh_token, 'the client has the refresh_token grant');
      await assertRefused(verifier.verify(tokens.refresh_token), 'token_malformed');
    });

    it('gets 401 invalid_token from a fastify resource server using the middleware; the access token gets 200', async () => {
      const refused = await fetch(`${resourceUrl}/notes`, { headers: { authorization: `Bearer ${tokens.refresh_token}` } });
      assert.equal(refused.status, 401);
      assert.equal(
        refused.headers.get('www-authenticate'),
        'Bearer realm="notes", error="invalid_token", error_description="The access token is not a well-formed JWS compact JWT."',
      );
      assert.equal(((await refused.json()) as { code: string }).code, 'token_malformed');

      const allowed = await fetch(`${resourceUrl}/notes`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(allowed.status, 200);
      assert.deepEqual(await allowed.json(), { owner: user.id });
    });
  });

  describe('after a key rotation (the key ring `gatehouse keys rotate` drives)', () => {
    let rotation: { kid: string; activatesAtMs: number; retiredKid: string | null };
    let tokenBeforeRotation: TokenResponse;
    before(async () => {
      tokenBeforeRotation = await passwordGrant(server.url, clientId);
      rotation = await server.gatehouse.tokens.keyRing.rotate();
    });

    it('tokens signed before and after verify against the published JWKS; the retired key stays published', async () => {
      const tokenAfterRotation = await passwordGrant(server.url, clientId);
      assert.equal(decodeProtectedHeader(tokenBeforeRotation.access_token).kid, rotation.retiredKid);
      assert.equal(decodeProtectedHeader(tokenAfterRotation.access_token).kid, rotation.kid);
      assert.notEqual(rotation.kid, rotation.retiredKid);

      const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      assert.deepEqual(jwks.keys.map((key) => key.kid).sort(), [rotation.kid, rotation.retiredKid].sort());

      // A new verifier: one that fetched the JWKS less than 30 s ago may not refetch yet (jose's
      // cooldown), which is why a real rotation publishes the key ahead (keyPublishAheadSeconds).
      const fresh = createVerifier({ issuer: server.url, audience });
      try {
        assert.equal((await fresh.verify(tokenAfterRotation.access_token)).sub, user.id);
        assert.equal((await fresh.verify(tokenBeforeRotation.access_token)).sub, user.id);
      } finally {
        fresh.close();
      }
    });
  });
});
