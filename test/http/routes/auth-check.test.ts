// Forward auth, GET /v1/auth/check: docs/security.md SEC-150 .. SEC-157, through the real HTTP app.
// The same flow behind a real nginx is test/integration/forward-auth-nginx.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { testPassword } from '../../support/core-deps.ts';
import { forwardedFor, protectedApp, statusModeForwardAuth, trustedProxy } from '../../support/forward-auth.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';

const app1 = protectedApp;
const proxy = trustedProxy;
const sameOrigin = { origin: testOrigin, 'sec-fetch-site': 'same-origin' };

const forwarded = forwardedFor;

function assertNoIdentity(response: LightMyRequestResponse): void {
  for (const name of ['x-gatehouse-user', 'x-gatehouse-email', 'x-gatehouse-session']) assert.equal(response.headers[name], undefined, name);
}

describe('GET /v1/auth/check with rules, status mode', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp({
      config: statusModeForwardAuth,
    });
    token = await signUpThroughApi(t.app, 'wall@example.com', testPassword);
  });
  after(() => t.close());

  const check = (headers: Record<string, string>, remoteAddress = proxy) => t.app.inject({ method: 'GET', url: '/v1/auth/check', remoteAddress, headers });

  it('answers 204 with the user, email and session headers for a live session, and no-store', async () => {
    const response = await check({ ...forwarded('/reports?q=1'), ...withSession(token) });
    assert.equal(response.statusCode, 204);
    assert.equal(response.body, '');
    const me = await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) });
    const { user, session } = me.json() as { user: { id: string; email: string }; session: { id: string } };
    assert.equal(response.headers['x-gatehouse-user'], user.id);
    assert.equal(response.headers['x-gatehouse-email'], 'wall@example.com');
    assert.equal(response.headers['x-gatehouse-session'], session.id);
    assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('SEC-152: without a session, or with a wrong, malformed or logged-out one: 401 problem+json naming the login page, no identity', async () => {
    const other = await signUpThroughApi(t.app, 'wall-out@example.com', testPassword);
    await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { ...sameOrigin, ...withSession(other) } });
    const [id] = token.split('.');
    for (const cookie of [undefined, 'garbage', `${id}.${'A'.repeat(43)}`, other]) {
      const response = await check({ ...forwarded('/reports?q=1'), ...(cookie === undefined ? {} : withSession(cookie)) });
      assert.equal(response.statusCode, 401, String(cookie));
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      assert.equal(response.json().code, 'unauthenticated');
      assert.equal(response.headers.location, `${testOrigin}/login?return_to=${encodeURIComponent(`${app1}/reports?q=1`)}`);
      assertNoIdentity(response);
    }
  });

  it('SEC-150: X-Forwarded-* from a peer that is not a trusted proxy are ignored: no rule can be chosen, 403, even with a session', async () => {
    for (const cookie of [{}, withSession(token)]) {
      const response = await check({ ...forwarded('/reports'), ...cookie }, '203.0.113.9');
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'forward_auth_target_unknown');
      assert.equal(response.headers.location, undefined);
      assertNoIdentity(response);
    }
  });

  it('SEC-153: a URL no rule covers (another host, or no forwarded URL at all) is refused, deny by default', async () => {
    for (const headers of [forwarded('/', 'other.test'), forwarded('/', 'app.test', 'http'), forwarded('/', 'app.test:8443'), {}]) {
      const response = await check({ ...headers, ...withSession(token) });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assert.equal(response.json().code, 'forward_auth_target_unknown');
      assertNoIdentity(response);
    }
  });

  it('SEC-160: a forwarded host or URI that could smuggle another authority, or a repeated X-Forwarded-Uri, is not believed', async () => {
    const cases: Array<Record<string, string | string[]>> = [
      forwarded('/', 'evil.test@app.test'),
      forwarded('/', 'app.test/evil'),
      forwarded('/', 'app.test\\evil.test'),
      forwarded('//evil.test/x'),
      forwarded('x'),
      forwarded('/a\tb'),
      { ...forwarded('/'), 'x-forwarded-uri': ['/', '/admin'] },
    ];
    for (const headers of cases) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/auth/check', remoteAddress: proxy, headers: { ...headers, ...withSession(token) } });
      assert.equal(response.statusCode, 403, JSON.stringify(headers));
      assertNoIdentity(response);
    }
  });

  it('SEC-154: paths are compared normalized: dot segments, encoded or not, cannot step out of a stricter rule; /administrator is not /admin', async () => {
    for (const uri of ['/admin', '/admin/', '/admin/users?x=1', '/public/../admin/x', '/public/%2e%2e/admin', '/public/%2E%2E/admin/x', '/./admin']) {
      const response = await check({ ...forwarded(uri), ...withSession(token) });
      assert.equal(response.statusCode, 403, uri);
      assert.equal(response.json().code, 'step_up_required', uri);
    }
    for (const uri of ['/administrator', '/adminx', '/public/admin']) {
      const response = await check({ ...forwarded(uri), ...withSession(token) });
      assert.equal(response.statusCode, 204, uri);
    }
  });

  it('SEC-163: spellings an app behind the proxy may route as /admin (/%61dmin, /ADMIN, /admin;x, /x/..//admin, /public/..%2Fadmin) still need the second factor', async () => {
    for (const uri of ['/%61dmin', '/ADMIN/users', '/admin;jsessionid=1', '/x/..//admin', '/public/..%2Fadmin']) {
      const response = await check({ ...forwarded(uri), ...withSession(token) });
      assert.equal(response.statusCode, 403, uri);
      assert.equal(response.json().code, 'step_up_required', uri);
      assertNoIdentity(response);
    }
  });

  it('SEC-155: a second-factor path refuses a password-only session (403 step_up_required, no identity), and lets an mfa session through', async () => {
    const response = await check({ ...forwarded('/admin/users'), ...withSession(token) });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'step_up_required');
    assertNoIdentity(response);
    // The same session once it records two factors (what a TOTP or passkey login writes).
    const [id] = token.split('.');
    await t.core.store.sessions.recordAuthentication(id as string, t.core.clock.nowMs(), ['mfa', 'otp', 'pwd']);
    const stepped = await check({ ...forwarded('/admin/users'), ...withSession(token) });
    assert.equal(stepped.statusCode, 204);
    await t.core.store.sessions.recordAuthentication(id as string, t.core.clock.nowMs(), ['pwd']);
    assert.equal((await check({ ...forwarded('/admin/users'), ...withSession(token) })).statusCode, 403);
  });

  it('SEC-156: identity headers are always valid header values: a non-ASCII or % address is percent-encoded (UTF-8), never a 500', async () => {
    const email = 'žofia%x@example.com';
    const own = await signUpThroughApi(t.app, email, testPassword);
    const response = await check({ ...forwarded('/'), ...withSession(own) });
    assert.equal(response.statusCode, 204);
    assert.equal(response.headers['x-gatehouse-email'], '%C5%BEofia%25x@example.com');
    assert.equal(decodeURIComponent(String(response.headers['x-gatehouse-email'])), email);
  });

  it('SEC-157: only GET and HEAD; other methods are 405 and never answer with an identity', async () => {
    const head = await t.app.inject({ method: 'HEAD', url: '/v1/auth/check', remoteAddress: proxy, headers: { ...forwarded('/'), ...withSession(token) } });
    assert.equal(head.statusCode, 204);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      const response = await t.app.inject({ method, url: '/v1/auth/check', remoteAddress: proxy, headers: { ...forwarded('/'), ...withSession(token) } });
      assert.equal(response.statusCode, 405, method);
      assertNoIdentity(response);
    }
  });
});

describe('GET /v1/auth/check, redirect mode', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({
      config: {
        trustedProxies: ['loopback'],
        allowedReturnOrigins: [app1],
        forwardAuth: { mode: 'redirect', accessRules: [] },
      },
    });
  });
  after(() => t.close());

  it('answers 302 to the login page with the original URL as return_to', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/reports?q=1&r=%2F') });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `${testOrigin}/login?return_to=${encodeURIComponent(`${app1}/reports?q=1&r=%2F`)}`);
  });

  it('a fragment in X-Forwarded-Uri is dropped from return_to; a URI without one is kept as sent', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/reports?q=1#section-2') });
    assert.equal(response.headers.location, `${testOrigin}/login?return_to=${encodeURIComponent(`${app1}/reports?q=1`)}`);
    const encoded = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/reports/%23not-a-fragment') });
    assert.equal(encoded.headers.location, `${testOrigin}/login?return_to=${encodeURIComponent(`${app1}/reports/%23not-a-fragment`)}`);
  });

  it('SEC-151: a forwarded URL on an origin that is not allowed never becomes the return_to (the login falls back to /account)', async () => {
    for (const host of ['evil.test', 'app.test.evil.test']) {
      const response = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/steal', host) });
      assert.equal(response.statusCode, 302);
      assert.equal(response.headers.location, `${testOrigin}/login?return_to=%2Faccount`);
    }
    // On Gatehouse's own origin the URL becomes a path, and one that a browser would read as
    // another host (`//evil.test`, after dot segments are removed) is refused as well.
    const own = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/.//evil.test/x', 'auth.test') });
    assert.equal(own.headers.location, `${testOrigin}/login?return_to=%2Faccount`);
    const path = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/account/sessions?x=1', 'auth.test') });
    assert.equal(path.headers.location, `${testOrigin}/login?return_to=${encodeURIComponent('/account/sessions?x=1')}`);
  });

  it('SEC-150: from an untrusted peer the redirect carries no return_to at all', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/auth/check', remoteAddress: '203.0.113.9', headers: forwarded('/reports') });
    assert.equal(response.statusCode, 302);
    assert.equal(response.headers.location, `${testOrigin}/login`);
  });
});

describe('GET /v1/auth/check without forward-auth settings', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('needs only a session: 204 with one, 401 without', async () => {
    const token = await signUpThroughApi(t.app, 'plain@example.com', testPassword);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: withSession(token) })).statusCode, 204);
    const refused = await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: forwarded('/x') });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.headers.location, `${testOrigin}/login`);
  });
});

describe('the opt-in domain cookie (SEC-158)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ config: { session: { cookieDomain: 'auth.test' } } });
  });
  after(() => t.close());

  it('SEC-158: with session.cookieDomain the session cookie is __Secure- with that Domain, still Secure, HttpOnly, SameSite=Lax, and it is the one read', async () => {
    const signUp = await t.app.inject({ method: 'POST', url: '/v1/users', headers: sameOriginJson, payload: { email: 'domain@example.com', password: testPassword } });
    assert.equal(signUp.statusCode, 202);
    const login = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'domain@example.com', password: testPassword } });
    assert.equal(login.statusCode, 200);
    const raw = String(login.headers['set-cookie']);
    assert.match(raw, /^__Secure-gatehouse_session=/);
    assert.match(raw, /; Domain=auth\.test/);
    assert.match(raw, /; Secure/);
    assert.match(raw, /; HttpOnly/);
    assert.match(raw, /; SameSite=Lax/);
    const value = login.cookies.find((c) => c.name === '__Secure-gatehouse_session')?.value ?? '';
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: { cookie: `__Secure-gatehouse_session=${value}` } })).statusCode, 204);
    // The __Host- cookie name is not read in this mode.
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/check', headers: withSession(value) })).statusCode, 401);
    const logout = await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { ...sameOrigin, cookie: `__Secure-gatehouse_session=${value}` } });
    assert.match(String(logout.headers['set-cookie']), /^__Secure-gatehouse_session=;.*Domain=auth\.test/);
  });
});
