import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { passkeyCeremonyCookieName } from '../../../src/http/passkey-cookies.ts';
import { pendingLoginCookieName, sessionCookieName } from '../../../src/http/session-cookie.ts';
import { createTestApp, sameOriginJson, sessionTokenFrom, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
import { registerSoftPasskey } from '../../support/passkeys.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { seedSession, seedUser, testPassword } from '../../support/core-deps.ts';
import { decodeJwt } from 'jose';
import { clientRecord } from '../../support/client-record.ts';

function ceremonyCookie(response: LightMyRequestResponse) {
  const cookie = response.cookies.find((c) => c.name === passkeyCeremonyCookieName && c.value !== '');
  assert.ok(cookie, `no ceremony cookie: ${response.statusCode} ${response.body}`);
  return cookie;
}

describe('passkey JSON API', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  async function addPasskey(sessionToken: string, authenticator = createSoftAuthenticator({ origin: testOrigin })) {
    const started = await t.app.inject({ method: 'POST', url: '/v1/me/passkeys/registration/options', headers: { ...sameOriginJson, ...withSession(sessionToken) }, payload: {} });
    assert.equal(started.statusCode, 200, started.body);
    const cookie = ceremonyCookie(started);
    const response = authenticator.register(started.json().options);
    const verified = await t.app.inject({
      method: 'POST',
      url: '/v1/me/passkeys/registration/verify',
      headers: { ...sameOriginJson, cookie: `${sessionCookieName}=${sessionToken}; ${passkeyCeremonyCookieName}=${cookie.value}` },
      payload: { name: 'My key', response },
    });
    return { verified, authenticator, cookie };
  }

  async function passkeyLogin(authenticator: ReturnType<typeof createSoftAuthenticator>, assertOptions = {}) {
    const started = await t.app.inject({ method: 'POST', url: '/v1/passkeys/authentication/options', headers: sameOriginJson, payload: {} });
    const cookie = ceremonyCookie(started);
    return t.app.inject({
      method: 'POST',
      url: '/v1/passkeys/authentication/verify',
      headers: { ...sameOriginJson, cookie: `${passkeyCeremonyCookieName}=${cookie.value}` },
      payload: { response: authenticator.assert(started.json().options, assertOptions) },
    });
  }

  test('a phished password cannot add a second passkey (then log in with it as multi-factor, into the console say): after a password login or re-authentication, 403 reauthentication_required; after the passkey, 201 (SEC-168)', async () => {
    const email = 'phished@example.com';
    const owner = await signUpThroughApi(t.app, email, testPassword);
    const { verified, authenticator } = await addPasskey(owner);
    assert.equal(verified.statusCode, 201, verified.body);
    // The thief: the password, nothing else. The login asks for no second step (no TOTP).
    const login = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email, password: testPassword } });
    assert.equal(login.statusCode, 200, login.body);
    const thief = sessionTokenFrom(login) ?? assert.fail('a session');
    const refused = await t.app.inject({ method: 'POST', url: '/v1/me/passkeys/registration/options', headers: { ...sameOriginJson, ...withSession(thief) }, payload: {} });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'reauthentication_required');
    assert.ok(!refused.cookies.some((c) => c.name === passkeyCeremonyCookieName && c.value !== ''), 'no ceremony started');
    const reauth = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers: { ...sameOriginJson, ...withSession(thief) }, payload: { password: testPassword } });
    assert.equal(reauth.statusCode, 200, reauth.body);
    const stillRefused = await t.app.inject({ method: 'POST', url: '/v1/me/passkeys/registration/options', headers: { ...sameOriginJson, ...withSession(thief) }, payload: {} });
    assert.equal(stillRefused.json().code, 'reauthentication_required');
    const totp = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { ...sameOriginJson, ...withSession(thief) }, payload: { password: testPassword } });
    assert.equal(totp.statusCode, 403, totp.body);
    assert.equal(totp.json().code, 'reauthentication_required');
    // The owner, logged in with the passkey, adds another.
    const ownerLogin = await passkeyLogin(authenticator);
    assert.equal(ownerLogin.statusCode, 200, ownerLogin.body);
    const second = await addPasskey(sessionTokenFrom(ownerLogin) ?? assert.fail('a session'));
    assert.equal(second.verified.statusCode, 201, second.verified.body);
  });

  test('the ceremony cookie is __Host-, HttpOnly, Secure, SameSite=Strict, 5 minutes; it carries the options\' challenge under a MAC that is in no body (docs/security.md SEC-183)', async () => {
    const started = await t.app.inject({ method: 'POST', url: '/v1/passkeys/authentication/options', headers: sameOriginJson, payload: {} });
    const cookie = ceremonyCookie(started);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.maxAge, 300);
    const [challenge, , mac] = cookie.value.split('.');
    assert.equal(challenge, started.json().options.challenge);
    assert.ok(mac !== undefined && !started.body.includes(mac), 'the MAC is not in the body');
  });

  test('add, list, log in with the passkey (amr), rename and remove; then its login fails', async () => {
    const token = await signUpThroughApi(t.app, 'api-passkey@example.com', testPassword);
    const { verified, authenticator } = await addPasskey(token);
    assert.equal(verified.statusCode, 201, verified.body);
    const id = verified.json().id as string;
    assert.equal(verified.json().name, 'My key');
    assert.equal(verified.json().synced, false);
    const listed = await t.app.inject({ method: 'GET', url: '/v1/me/passkeys', headers: withSession(token) });
    assert.deepEqual(listed.json().passkeys.map((p: { id: string }) => p.id), [id]);

    const login = await passkeyLogin(authenticator);
    assert.equal(login.statusCode, 200, login.body);
    assert.deepEqual(login.json().amr, ['hwk', 'mfa', 'user']);
    const passkeySession = sessionTokenFrom(login);
    assert.ok(passkeySession);
    // The access token made from this session says a passkey was used, with user verification (docs/security.md SEC-180).
    await t.core.store.clients.create(clientRecord({ id: 'passkey-web', name: 'Web', type: 'public', secretHash: null, grantTypes: ['session'], audience: 'https://api.example.com', refreshTokenDelivery: 'body', createdAtMs: 0 }));
    const exchanged = await t.app.inject({ method: 'POST', url: '/v1/session/token', headers: { ...sameOriginJson, ...withSession(passkeySession) }, payload: { client_id: 'passkey-web' } });
    assert.equal(exchanged.statusCode, 200, exchanged.body);
    const claims = decodeJwt(exchanged.json().access_token as string);
    assert.deepEqual(claims.amr, ['hwk', 'mfa', 'user']);
    assert.equal(typeof claims.auth_time, 'number');
    assert.notEqual(login.json().user.id, undefined);
    assert.ok(login.cookies.some((c) => c.name === passkeyCeremonyCookieName && c.value === ''), 'the ceremony cookie is cleared');
    const used = await t.app.inject({ method: 'GET', url: '/v1/me/passkeys', headers: withSession(token) });
    assert.notEqual(used.json().passkeys[0].lastUsedAt, null);

    const renamed = await t.app.inject({ method: 'PATCH', url: `/v1/me/passkeys/${id}`, headers: { ...sameOriginJson, ...withSession(token) }, payload: { name: 'Laptop' } });
    assert.equal(renamed.statusCode, 204);
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/me/passkeys/${id}`, headers: { origin: testOrigin, ...withSession(token) } });
    assert.equal(removed.statusCode, 204, removed.body);
    const refused = await passkeyLogin(authenticator);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'passkey_refused');
  });

  test('removing a passkey needs a recent login or re-authentication: a stale session gets 403 reauthentication_required (problem+json) and removes nothing; the password sent along, or POST /v1/me/reauth, lets it (SEC-227)', async () => {
    const token = await signUpThroughApi(t.app, 'stale-remove@example.com', testPassword);
    const first = await addPasskey(token);
    assert.equal(first.verified.statusCode, 201, first.verified.body);
    // The second one as if this session had re-authenticated with the first (SEC-168).
    const second = await registerSoftPasskey(t.core, (await validateSession(t.core, token)) ?? assert.fail('a session'), createSoftAuthenticator({ origin: testOrigin }));
    const sentBefore = t.core.outbox.sent.length;
    t.core.clock.advance(t.core.sessionPolicy.reauthWindowMs + 1);
    const refused = await t.app.inject({ method: 'DELETE', url: `/v1/me/passkeys/${first.verified.json().id}`, headers: { origin: testOrigin, ...withSession(token) } });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(refused.json().code, 'reauthentication_required');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/me/passkeys', headers: withSession(token) })).json().passkeys.length, 2);
    assert.equal(t.core.outbox.sent.length, sentBefore, 'no notice for a removal that did not happen');
    // The proof sent along counts for this change.
    const withPassword = await t.app.inject({ method: 'DELETE', url: `/v1/me/passkeys/${first.verified.json().id}`, headers: { ...sameOriginJson, ...withSession(token) }, payload: { password: testPassword } });
    assert.equal(withPassword.statusCode, 204, withPassword.body);
    // Or a re-authentication opens the window.
    const reauth = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers: { ...sameOriginJson, ...withSession(token) }, payload: { password: testPassword } });
    assert.equal(reauth.statusCode, 200, reauth.body);
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/me/passkeys/${second.passkeyId}`, headers: { origin: testOrigin, ...withSession(token) } });
    assert.equal(removed.statusCode, 204, removed.body);
    assert.deepEqual((await t.app.inject({ method: 'GET', url: '/v1/me/passkeys', headers: withSession(token) })).json().passkeys, []);
  });

  test('bad answers are problem+json, never a 500', async () => {
    const started = await t.app.inject({ method: 'POST', url: '/v1/passkeys/authentication/options', headers: sameOriginJson, payload: {} });
    const cookie = ceremonyCookie(started);
    const garbage = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA' } };
    for (const payload of [{ response: garbage }, { response: { ...garbage, type: 'other' } }, {}, { response: 'x' }]) {
      const answer = await t.app.inject({ method: 'POST', url: '/v1/passkeys/authentication/verify', headers: { ...sameOriginJson, cookie: `${passkeyCeremonyCookieName}=${cookie.value}` }, payload });
      assert.ok(answer.statusCode >= 400 && answer.statusCode < 500, `${answer.statusCode} ${answer.body}`);
      assert.match(String(answer.headers['content-type']), /problem\+json/);
    }
  });

  test('the second step with a passkey after a password (TOTP on)', async () => {
    const email = 'api-second@example.com';
    const token = await signUpThroughApi(t.app, email, testPassword);
    const { authenticator } = await addPasskey(token);
    const user = await t.core.store.users.findByEmail(email);
    assert.ok(user);
    await t.core.store.totp.putPending({ userId: user.id, secretJwe: 'unused', createdAtMs: t.core.clock.nowMs(), confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
    await t.core.store.totp.confirm(user.id, t.core.clock.nowMs(), 1);
    const password = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email, password: testPassword } });
    assert.equal(password.json().code, 'second_factor_required');
    const pending = password.cookies.find((c) => c.name === pendingLoginCookieName);
    assert.ok(pending);
    const started = await t.app.inject({ method: 'POST', url: '/v1/session/second-factor/passkey/options', headers: { ...sameOriginJson, cookie: `${pendingLoginCookieName}=${pending.value}` }, payload: {} });
    assert.equal(started.statusCode, 200, started.body);
    const cookie = ceremonyCookie(started);
    const done = await t.app.inject({
      method: 'POST',
      url: '/v1/session/second-factor/passkey',
      headers: { ...sameOriginJson, cookie: `${pendingLoginCookieName}=${pending.value}; ${passkeyCeremonyCookieName}=${cookie.value}` },
      payload: { response: authenticator.assert(started.json().options) },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.ok(done.json().amr.includes('mfa'));
  });

  test('the endpoints are in the OpenAPI document, each with its method', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const expected = [
      ['get', '/v1/me/passkeys'],
      ['post', '/v1/me/passkeys/registration/options'],
      ['post', '/v1/me/passkeys/registration/verify'],
      ['patch', '/v1/me/passkeys/{id}'],
      ['delete', '/v1/me/passkeys/{id}'],
      ['post', '/v1/passkeys/authentication/options'],
      ['post', '/v1/passkeys/authentication/verify'],
      ['post', '/v1/session/second-factor/passkey/options'],
      ['post', '/v1/session/second-factor/passkey'],
      ['post', '/v1/passkeys/signup'],
      ['post', '/v1/passkeys/signup/options'],
      ['post', '/v1/passkeys/signup/verify'],
      ['post', '/v1/me/reauth/passkey/options'],
    ];
    for (const [method, path] of expected) assert.ok(doc.paths[path as string]?.[method as string], `${method} ${path} missing`);
  });
});

describe('passkey JSON API: re-authentication', () => {
  test('registration options need a recent login or re-authentication (docs/security.md SEC-187)', async () => {
    const t = await createTestApp();
    try {
      const token = await signUpThroughApi(t.app, 'api-reauth@example.com', testPassword);
      t.core.clock.advance(t.core.sessionPolicy.reauthWindowMs + 1);
      const refused = await t.app.inject({ method: 'POST', url: '/v1/me/passkeys/registration/options', headers: { ...sameOriginJson, ...withSession(token) }, payload: {} });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'reauthentication_required');
      assert.ok(!refused.cookies.some((c) => c.name === passkeyCeremonyCookieName && c.value !== ''));
    } finally {
      await t.close();
    }
  });
});

describe('passkey login under requireVerifiedEmail (docs/security.md SEC-228)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ accountSecurityPolicy: { requireVerifiedEmail: true } });
  });
  after(() => t.close());

  test('the JSON API refuses an unverified account’s passkey with 403 email_not_verified (problem+json, no session), as the password login does; verified, it logs in (SEC-228)', async () => {
    const user = await seedUser(t.core, 'unverified-passkey@example.com');
    const { session } = await seedSession(t.core, user.id);
    const { authenticator } = await registerSoftPasskey(t.core, { user, session }, createSoftAuthenticator({ origin: testOrigin }));
    const login = async () => {
      const started = await t.app.inject({ method: 'POST', url: '/v1/passkeys/authentication/options', headers: sameOriginJson, payload: {} });
      return t.app.inject({
        method: 'POST',
        url: '/v1/passkeys/authentication/verify',
        headers: { ...sameOriginJson, cookie: `${passkeyCeremonyCookieName}=${ceremonyCookie(started).value}` },
        payload: { response: authenticator.assert(started.json().options) },
      });
    };
    const password = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: user.email, password: testPassword } });
    assert.equal(password.json().code, 'email_not_verified', password.body);
    const refused = await login();
    assert.equal(refused.statusCode, 403, refused.body);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(refused.json().code, 'email_not_verified');
    assert.equal(sessionTokenFrom(refused), undefined, 'no session cookie');
    await t.core.store.emailVerifications.markVerified(user.id, user.email, t.core.clock.nowMs());
    const loggedIn = await login();
    assert.equal(loggedIn.statusCode, 200, loggedIn.body);
    assert.equal(loggedIn.json().user.id, user.id);
  });
});

