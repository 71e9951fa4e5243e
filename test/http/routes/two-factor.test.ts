// TOTP two-factor over HTTP: docs/security.md SEC-45 (nothing granted between the steps), SEC-41,
// SEC-42 and SEC-46 at the HTTP surface, the password grant refusal, and the pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { pendingLoginCookieName } from '../../../src/http/session-cookie.ts';
import { testPassword } from '../../support/core-deps.ts';
import { logInThroughApi, sameOriginJson, sessionTokenFrom, signUpThroughApi, testOrigin, withSession, type TestApp, createTestApp } from '../../support/http-app.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin };

function pendingCookieOf(response: LightMyRequestResponse): string | undefined {
  return response.cookies.find((c) => c.name === pendingLoginCookieName && c.value !== '')?.value;
}

describe('two-factor over HTTP', () => {
  let t: TestApp;
  let secret: string;
  let recoveryCodes: string[];
  before(async () => {
    t = await createTestApp();
    await createClient(t.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    const session = await signUpThroughApi(t.app, 'tf@example.com', testPassword);
    const started = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { origin: testOrigin, ...withSession(session) } });
    assert.equal(started.statusCode, 200, started.body);
    secret = started.json().secret;
    assert.match(started.json().otpauthUri, /^otpauth:\/\/totp\//);
    assert.match(started.json().qrSvg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    const confirmed = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp/confirm', headers: { ...sameOriginJson, ...withSession(session) }, payload: { code: totpCodeAt(secret, t.core.clock.nowMs()), password: testPassword } });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    recoveryCodes = confirmed.json().recoveryCodes;
    assert.equal(recoveryCodes.length, 10);
    assert.ok(sessionTokenFrom(confirmed), 'a new session cookie at the privilege change');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(session) })).statusCode, 401, 'the old session id is dead');
    t.core.clock.advance(30_000);
  });
  after(() => t.close());

  const secondFactor = (pending: string | undefined, payload: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/v1/session/second-factor', headers: { ...sameOriginJson, ...(pending === undefined ? {} : { cookie: `${pendingLoginCookieName}=${pending}` }) }, payload });

  it('SEC-45: the password alone gets 401 second_factor_required, a pending cookie, and no session; protected endpoints stay 401', async () => {
    const login = await logInThroughApi(t.app, 'tf@example.com', testPassword);
    assert.equal(login.statusCode, 401);
    assert.equal(login.json().code, 'second_factor_required');
    assert.equal(sessionTokenFrom(login), undefined);
    const pending = pendingCookieOf(login);
    assert.ok(pending);
    const raw = String(login.headers['set-cookie']);
    assert.match(raw, /__Host-gatehouse_pending_login=.*HttpOnly/);
    const asSession = { cookie: `__Host-gatehouse_session=${pending}; ${pendingLoginCookieName}=${pending}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: asSession })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: asSession })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/session/token', headers: { ...sameOriginJson, ...asSession }, payload: { client_id: 'spa' } })).statusCode, 401);
    const page = await t.app.inject({ method: 'GET', url: '/account', headers: asSession });
    assert.equal(page.statusCode, 303);
  });

  it('SEC-45: the password grant refuses an account with TOTP with a clear invalid_grant, and issues nothing', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: 'password', username: 'tf@example.com', password: testPassword, client_id: 'spa' }).toString() });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
    assert.match(response.json().error_description, /two-factor/);
    assert.equal(response.json().access_token, undefined);
  });

  it('the TOTP code finishes the login; the same code again is refused (SEC-42)', async () => {
    const code = totpCodeAt(secret, t.core.clock.nowMs());
    const pending = pendingCookieOf(await logInThroughApi(t.app, 'tf@example.com', testPassword));
    const done = await secondFactor(pending, { code });
    assert.equal(done.statusCode, 200, done.body);
    const token = sessionTokenFrom(done);
    assert.ok(token);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).json().user.email, 'tf@example.com');
    const replay = await secondFactor(pendingCookieOf(await logInThroughApi(t.app, 'tf@example.com', testPassword)), { code });
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().code, 'invalid_code');
    assert.equal(sessionTokenFrom(replay), undefined);
  });

  it('SEC-46: a recovery code finishes a login once; no pending cookie -> no_pending_login', async () => {
    const pending = pendingCookieOf(await logInThroughApi(t.app, 'tf@example.com', testPassword));
    assert.equal((await secondFactor(pending, { recoveryCode: recoveryCodes[0]! })).statusCode, 200);
    const again = await secondFactor(pendingCookieOf(await logInThroughApi(t.app, 'tf@example.com', testPassword)), { recoveryCode: recoveryCodes[0]! });
    assert.equal(again.json().code, 'invalid_code');
    const none = await secondFactor(undefined, { code: '123456' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().code, 'no_pending_login');
    const status = await t.app.inject({ method: 'GET', url: '/v1/me/two-factor', headers: withSession(sessionTokenFrom(await secondFactor(pendingCookieOf(await logInThroughApi(t.app, 'tf@example.com', testPassword)), { recoveryCode: recoveryCodes[1]! }))!) });
    assert.deepEqual(status.json(), { totp: 'on', recoveryCodesLeft: 8 });
  });

  it('the pages: /login leads to the second step; the code logs in; /account/two-factor shows the state', async () => {
    t.core.clock.advance(30_000);
    const login = await t.app.inject({ method: 'POST', url: '/login', headers: form, payload: new URLSearchParams({ email: 'tf@example.com', password: testPassword, return_to: '/account' }).toString() });
    assert.equal(login.statusCode, 303);
    assert.equal(login.headers.location, '/login/second-factor?return_to=%2Faccount');
    assert.equal(sessionTokenFrom(login), undefined);
    const pending = pendingCookieOf(login)!;
    const prompt = await t.app.inject({ method: 'GET', url: '/login/second-factor?return_to=%2Faccount', headers: { cookie: `${pendingLoginCookieName}=${pending}` } });
    assert.equal(prompt.statusCode, 200);
    assert.match(prompt.body, /autocomplete="one-time-code"/);
    assert.match(String(prompt.headers['content-security-policy']), /default-src 'none'/);
    const done = await t.app.inject({ method: 'POST', url: '/login/second-factor', headers: { ...form, cookie: `${pendingLoginCookieName}=${pending}` }, payload: new URLSearchParams({ code: totpCodeAt(secret, t.core.clock.nowMs()), return_to: '/account' }).toString() });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/account');
    const token = sessionTokenFrom(done)!;
    const settings = await t.app.inject({ method: 'GET', url: '/account/two-factor', headers: withSession(token) });
    assert.match(settings.body, /is <strong>on<\/strong>/);
  });

  it('the enrolment page shows an inline SVG QR code and the key, escaped, under the strict CSP (SEC-99)', async () => {
    const session = await signUpThroughApi(t.app, 'qr@example.com', testPassword);
    const enrol = await t.app.inject({ method: 'POST', url: '/account/two-factor/enrol', headers: { ...form, ...withSession(session) }, payload: '' });
    assert.equal(enrol.statusCode, 303);
    const page = await t.app.inject({ method: 'GET', url: '/account/two-factor', headers: withSession(session) });
    assert.match(page.body, /<div class="qr"[^>]*><svg /);
    assert.match(page.body, /data-totp-secret>[A-Z2-7]{32}</);
    assert.doesNotMatch(page.body, /<script/);
    assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-inline/);
  });
});
