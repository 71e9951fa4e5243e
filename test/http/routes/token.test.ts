// POST /v1/token: the password and refresh_token grants, docs/security.md SEC-30, SEC-31, SEC-32, SEC-33, SEC-34 and SEC-56
// (and SEC-14 for the tokens of a disabled or deleted account).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { deleteAccountAsOperator } from '../../../src/core/accounts/delete-account.ts';
import { disableAccount } from '../../../src/core/accounts/set-account-disabled.ts';
import { createClient } from '../../../src/core/clients/create-client.ts';
import type { Store } from '../../../src/core/ports.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { testContext, testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, withSession, type TestApp } from '../../support/http-app.ts';

const day = 24 * 60 * 60 * 1000;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('POST /v1/token', () => {
  let t: TestApp;
  let confidentialSecret: string;
  before(async () => {
    t = await createTestApp();
    await signUpThroughApi(t.app, 'grant@example.com', testPassword);
    await createClient(t.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    await createClient(t.core, { id: 'other', name: 'Other', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    await createClient(t.core, { id: 'no-refresh', name: 'No refresh', type: 'public', grantTypes: ['password'], audience: 'https://api.example.com' });
    const backend = await createClient(t.core, { id: 'backend', name: 'Backend', type: 'confidential', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    confidentialSecret = backend.secret as string;
  });
  after(() => t.close());

  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/token', headers: { ...form, ...headers }, payload: new URLSearchParams(fields).toString() });
  const passwordGrant = (clientId = 'spa') => post({ grant_type: 'password', username: 'grant@example.com', password: testPassword, client_id: clientId });
  const refresh = (refreshToken: string, clientId = 'spa') => post({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });

  it('password grant: an access token and a refresh token, no-store, RFC 6749 shape', async () => {
    const response = await passwordGrant();
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.pragma, 'no-cache');
    const body = response.json();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.expires_in, 300);
    assert.match(body.refresh_token, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(body.access_token);
    assert.equal(claims.client_id, 'spa');
    assert.ok(claims.sid);
  });

  it('a client without the refresh_token grant gets no refresh token', async () => {
    const body = (await passwordGrant('no-refresh')).json();
    assert.ok(body.access_token);
    assert.equal(body.refresh_token, undefined);
  });

  it('confidential clients authenticate with Basic, their registered method, not in the body; a wrong secret is invalid_client with WWW-Authenticate (SEC-75, SEC-208)', async () => {
    const basic = `Basic ${Buffer.from(`backend:${confidentialSecret}`).toString('base64')}`;
    assert.equal((await post({ grant_type: 'password', username: 'grant@example.com', password: testPassword }, { authorization: basic })).statusCode, 200);
    const posted = await post({ grant_type: 'password', username: 'grant@example.com', password: testPassword, client_id: 'backend', client_secret: confidentialSecret });
    assert.equal(posted.statusCode, 401);
    assert.equal(posted.json().error, 'invalid_client', 'registered for client_secret_basic (the default), so a posted secret is refused');
    const wrong = await post({ grant_type: 'password', username: 'grant@example.com', password: testPassword }, { authorization: `Basic ${Buffer.from('backend:nope').toString('base64')}` });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error, 'invalid_client');
    assert.match(String(wrong.headers['www-authenticate']), /^Basic/);
    assert.equal((await passwordGrant('backend')).json().error, 'invalid_client', 'a confidential client without its secret');
  });

  it('errors: unknown grant, wrong password, missing fields, JSON body, scope', async () => {
    assert.equal((await post({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: 'spa' })).json().error, 'unsupported_grant_type');
    assert.equal((await post({ grant_type: 'client_credentials', client_id: 'spa' })).json().error, 'unauthorized_client', 'a public client');
    const wrong = await post({ grant_type: 'password', username: 'grant@example.com', password: 'not the password at all', client_id: 'spa' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error, 'invalid_grant');
    assert.equal((await post({ grant_type: 'refresh_token', client_id: 'spa' })).json().error, 'invalid_request');
    const json = await t.app.inject({ method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/json' }, payload: { grant_type: 'password' } });
    assert.equal(json.statusCode, 400);
    assert.equal(json.json().error, 'invalid_request');
    assert.equal((await post({ grant_type: 'password', username: 'grant@example.com', password: testPassword, client_id: 'spa', scope: 'admin' })).json().error, 'invalid_scope');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/token' })).statusCode, 405);
  });

  it('a grant_type named like an Object.prototype member is unsupported, never a 200 without a token or a 500 (docs/security.md SEC-130)', async () => {
    for (const grantType of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const response = await post({ grant_type: grantType, client_id: 'spa' });
      assert.equal(response.statusCode, 400, `${grantType}: ${response.body}`);
      assert.equal(response.json().error, 'unsupported_grant_type', grantType);
    }
  });

  it('refresh rotates: a new pair each time, and only hashes are stored', async () => {
    const first = (await passwordGrant()).json();
    const second = (await refresh(first.refresh_token)).json();
    assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token);
    assert.equal(decodeJwt(second.access_token).sid, decodeJwt(first.access_token).sid, 'same session');
    const [id, secret] = (second.refresh_token as string).split('.') as [string, string];
    const stored = await t.core.store.refreshTokens.findById(id);
    assert.ok(stored);
    assert.deepEqual(Buffer.from(stored.secretHash), createHash('sha256').update(secret).digest());
    const third = (await refresh(second.refresh_token)).json();
    assert.ok(third.access_token);
  });

  it('SEC-30: a rotated token presented again (after the grace window) -> invalid_grant, family and session revoked', async () => {
    const first = (await passwordGrant()).json();
    const second = (await refresh(first.refresh_token)).json();
    t.core.clock.advance(11_000);
    const reuse = await refresh(first.refresh_token);
    assert.equal(reuse.statusCode, 400);
    assert.equal(reuse.json().error, 'invalid_grant');
    assert.equal((await refresh(second.refresh_token)).json().error, 'invalid_grant', 'the live successor died with its family');
    const sid = decodeJwt(first.access_token).sid as string;
    assert.equal(await t.core.store.sessions.findWithUser(sid), null, 'the session is revoked');
    const audit = await t.core.store.audit.list({ limit: 5 });
    assert.ok(audit.some((e) => e.type === 'refresh.reuse_detected'));
  });

  it('SEC-31: two concurrent refreshes with the same token (two tabs) both succeed with the same new refresh token', async () => {
    const first = (await passwordGrant()).json();
    const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token)]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    assert.equal(a.json().refresh_token, b.json().refresh_token, 'the same successor');
    // Both tabs carry on: the shared successor rotates normally, and no family was revoked.
    const next = await refresh(a.json().refresh_token);
    assert.equal(next.statusCode, 200);
    // The same within the grace window, sequentially (the second tab a few seconds late).
    const late = await refresh(first.refresh_token);
    assert.equal(late.statusCode, 400, 'its successor has been used since: reuse');
  });

  it('SEC-31: a repeat within the grace window gets the same successor; after it, it is reuse', async () => {
    const first = (await passwordGrant()).json();
    const a = (await refresh(first.refresh_token)).json();
    t.core.clock.advance(5_000);
    const b = (await refresh(first.refresh_token)).json();
    assert.equal(b.refresh_token, a.refresh_token);
    t.core.clock.advance(6_000);
    assert.equal((await refresh(first.refresh_token)).json().error, 'invalid_grant');
  });

  it('SEC-32: a refresh token used by another client -> invalid_grant', async () => {
    const first = (await passwordGrant('spa')).json();
    const response = await refresh(first.refresh_token, 'other');
    assert.equal(response.json().error, 'invalid_grant');
    assert.equal((await refresh(first.refresh_token, 'spa')).statusCode, 200, 'the rightful client is unaffected');
  });

  it('SEC-33: idle too long, or past the absolute lifetime despite use -> invalid_grant', async () => {
    const idle = (await passwordGrant()).json();
    t.core.clock.advance(7 * day + 1);
    assert.equal((await refresh(idle.refresh_token)).json().error, 'invalid_grant');

    await signUpThroughApi(t.app, 'absolute@example.com', testPassword);
    let current = (await post({ grant_type: 'password', username: 'absolute@example.com', password: testPassword, client_id: 'spa' })).json().refresh_token as string;
    for (let i = 0; i < 4; i++) {
      t.core.clock.advance(6 * day);
      const response = await refresh(current);
      assert.equal(response.statusCode, 200, `day ${(i + 1) * 6}`);
      current = response.json().refresh_token;
    }
    t.core.clock.advance(6 * day);
    assert.equal((await refresh(current)).json().error, 'invalid_grant', '30 days after login');
  });

  it('SEC-14: disabling or deleting the account refuses its refresh tokens at once, and introspection calls its tokens inactive', async () => {
    const backend = { authorization: `Basic ${Buffer.from(`backend:${confidentialSecret}`).toString('base64')}` };
    const introspect = (token: string) =>
      t.app.inject({ method: 'POST', url: '/v1/token/introspect', headers: { ...form, ...backend }, payload: new URLSearchParams({ token }).toString() });
    const endings = [
      ['disabled-grant@example.com', (userId: string) => disableAccount(t.core, userId, testContext('cli'))],
      ['deleted-grant@example.com', (userId: string) => deleteAccountAsOperator(t.core, userId, testContext('cli'))],
    ] as const;
    for (const [email, end] of endings) {
      await signUpThroughApi(t.app, email, testPassword);
      const pair = (await post({ grant_type: 'password', username: email, password: testPassword }, backend)).json();
      assert.ok(pair.refresh_token, email);
      assert.equal((await introspect(pair.access_token)).json().active, true, `${email}: live before`);
      const user = await t.core.store.users.findByEmail(email);
      assert.ok(user);
      await end(user.id);
      const refreshed = await post({ grant_type: 'refresh_token', refresh_token: pair.refresh_token }, backend);
      assert.equal(refreshed.statusCode, 400, `${email}: ${refreshed.body}`);
      assert.equal(refreshed.json().error, 'invalid_grant');
      assert.equal((await introspect(pair.access_token)).json().active, false, `${email}: the access token`);
      assert.equal((await introspect(pair.refresh_token)).json().active, false, `${email}: the refresh token`);
    }
  });

  it('logout, session revocation and password change end the refresh tokens of the session', async () => {
    const login = await t.app.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/json' }, payload: { email: 'grant@example.com', password: testPassword } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]?.split('=')[1] as string;
    const pair = (await passwordGrant()).json();
    const sid = decodeJwt(pair.access_token).sid as string;
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/sessions/${sid}`, headers: withSession(cookie) });
    assert.equal(revoke.statusCode, 204);
    assert.equal((await refresh(pair.refresh_token)).json().error, 'invalid_grant');
  });

  it('SEC-56: a failure between "mark used" and "store the successor" leaves the old token live, never two', async () => {
    // A store whose transactions fail while storing a successor, when armed: the crash point.
    const inner = createMemoryStore();
    let crash = false;
    // The rotation is one step; the crash comes after its "mark used", before the successor is stored.
    const crashingRotate =
      (tx: Store): Store['refreshTokens']['rotate'] =>
      async (id, usedAtMs, successor) => {
        if (!crash) return tx.refreshTokens.rotate(id, usedAtMs, successor);
        await tx.refreshTokens.markUsed(id, usedAtMs, successor.id);
        throw new Error('simulated crash before the successor is stored');
      };
    const store: Store = {
      ...inner,
      // Outside a transaction, a rotation is a transaction of its own (RefreshTokenStore.rotate), as the SQL adapters make it.
      refreshTokens: { ...inner.refreshTokens, rotate: (id, usedAtMs, successor) => inner.transaction((tx) => crashingRotate(tx)(id, usedAtMs, successor)) },
      transaction: (work) => inner.transaction((tx) => work({ ...tx, refreshTokens: { ...tx.refreshTokens, rotate: crashingRotate(tx) } })),
    };
    const faulty = await createTestApp({ store });
    try {
      await signUpThroughApi(faulty.app, 'crash@example.com', testPassword);
      await createClient(faulty.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
      const tokenCall = (fields: Record<string, string>) =>
        faulty.app.inject({ method: 'POST', url: '/v1/token', headers: form, payload: new URLSearchParams(fields).toString() });
      const first = (await tokenCall({ grant_type: 'password', username: 'crash@example.com', password: testPassword, client_id: 'spa' })).json();
      crash = true;
      const crashed = await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'spa' });
      assert.equal(crashed.statusCode, 500);
      assert.equal(crashed.json().error, 'server_error');
      crash = false;
      const [id] = (first.refresh_token as string).split('.') as [string];
      assert.equal((await inner.refreshTokens.findById(id))?.usedAtMs, null, 'the mark was rolled back with the failed insert');
      const retried = await tokenCall({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'spa' });
      assert.equal(retried.statusCode, 200, 'the token still works, once');
      const successorId = (retried.json().refresh_token as string).split('.')[0] as string;
      assert.equal((await inner.refreshTokens.findById(id))?.successorId, successorId, 'exactly one live successor');
    } finally {
      await faulty.close();
    }
  });
});
