// POST /v1/session/token and the JWKS: a cookie session becomes an RFC 9068 access token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';
import { clientRecord } from '../../support/client-record.ts';

describe('session tokens and the JWKS', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp();
    token = await signUpThroughApi(t.app, 'jwt@example.com', testPassword);
    const base = { type: 'public' as const, secretHash: null, refreshTokenDelivery: 'body' as const, createdAtMs: 0 };
    await t.core.store.clients.create(clientRecord({ ...base, id: 'web', name: 'Web app', grantTypes: ['session', 'refresh_token'], audience: 'https://api.example.com' }));
    await t.core.store.clients.create(clientRecord({ ...base, id: 'cli', name: 'CLI', grantTypes: ['password'], audience: 'https://api.example.com' }));
  });
  after(() => t.close());

  const exchange = (clientId: string, session = token, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/session/token', headers: { ...sameOriginJson, ...withSession(session), ...headers }, payload: { client_id: clientId } });

  it('issues an at+jwt bound to the session, verifiable with the published JWKS', async () => {
    const response = await exchange('web');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['cache-control'], 'no-store');
    const body = response.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json();
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      algorithms: ['ES256'],
      issuer: testOrigin,
      audience: 'https://api.example.com',
      typ: 'at+jwt',
      currentDate: new Date(t.core.clock.nowMs()),
    });
    assert.equal(protectedHeader.typ, 'at+jwt');
    assert.ok(protectedHeader.kid);
    const me = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).json();
    assert.equal(payload.sub, me.user.id);
    assert.equal(payload.sid, me.session.id);
    assert.equal(payload.client_id, 'web');
    assert.equal('scope' in payload, false, 'no scope claim when none was granted');
    // The session's authentication: when (seconds) and how (RFC 8176).
    assert.equal(payload.auth_time, Math.floor(Date.parse(me.session.authTime) / 1000));
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal(typeof payload.jti, 'string');
    assert.equal((payload.exp as number) - (payload.iat as number), 300);
  });

  it('never outlives its session (SEC-74)', async () => {
    const day = 24 * 60 * 60 * 1000;
    const short = await signUpThroughApi(t.app, 'short@example.com', testPassword);
    // Keep the session in use (idle limit 7 days) until one minute before its 30-day absolute limit.
    for (let i = 0; i < 4; i++) {
      t.core.clock.advance(6 * day);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(short) })).statusCode, 200);
    }
    t.core.clock.advance(6 * day - 60_000);
    const response = await exchange('web', short);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().expires_in, 60, 'cut to the remaining minute of the session, not 5 minutes');
    const { exp } = JSON.parse(Buffer.from(response.json().access_token.split('.')[1], 'base64url').toString()) as { exp: number };
    const me = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(short) })).json();
    assert.equal(exp, Math.floor(Date.parse(me.session.expiresAt) / 1000));
  });

  it('refuses without a session, for an unknown client, or for a client without the session grant (SEC-74)', async () => {
    const other = await signUpThroughApi(t.app, 'jwt2@example.com', testPassword);
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/session/token', headers: sameOriginJson, payload: { client_id: 'web' } })).statusCode, 401);
    const unknown = await exchange('nope', other);
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().code, 'unauthorized_client');
    assert.equal((await exchange('cli', other)).json().code, 'unauthorized_client');
  });

  it('refuses a cross-site request (the cookie alone must never mint a token for another site) (SEC-74)', async () => {
    const other = await signUpThroughApi(t.app, 'jwt3@example.com', testPassword);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/session/token',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', ...withSession(other) },
      payload: { client_id: 'web' },
    });
    assert.equal(response.statusCode, 403);
  });

  it('SEC-29: /.well-known/jwks.json holds public members only, with cache headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['cache-control']), /public, max-age=300/);
    const { keys } = response.json() as { keys: Array<Record<string, unknown>> };
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[member], undefined, member);
    }
    const other = await signUpThroughApi(t.app, 'jwt4@example.com', testPassword);
    const issued = (await exchange('web', other)).json();
    assert.equal(decodeProtectedHeader(issued.access_token).kid, keys.at(-1)?.kid);
  });
});
