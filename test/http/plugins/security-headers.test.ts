// docs/security.md SEC-50, SEC-51 ("HTTP hardening").
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, logInThroughApi, signUpThroughApi, withSession, type TestApp } from '../../support/http-app.ts';

describe('security headers', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp();
    token = await signUpThroughApi(t.app, 'headers@example.com', testPassword);
  });
  after(() => t.close());

  for (const url of ['/login', '/signup', '/account', '/logout']) {
    it(`SEC-50: ${url} sends HSTS, a strict CSP, nosniff and Referrer-Policy`, async () => {
      const signedIn = url === '/account' || url === '/logout';
      const response = await t.app.inject({ method: 'GET', url, headers: signedIn ? withSession(token) : {} });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/html/);
      assert.match(String(response.headers['strict-transport-security']), /max-age=\d{7,}/);
      const csp = String(response.headers['content-security-policy']);
      for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "default-src 'none'"]) assert.ok(csp.includes(directive), directive);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'same-origin', 'no-referrer would make browsers send Origin: null on our own POSTs');
      if (url === '/login') {
        // The passkey button and autofill: our own two script files, nothing inline (docs/security.md SEC-184).
        assert.ok(csp.endsWith("; script-src 'self'"), csp);
        assert.deepEqual([...response.body.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => [/ src="\/assets\/[a-z-]+\.js"/.test(m[0]), m[1]]), [[true, ''], [true, '']]);
      } else {
        assert.doesNotMatch(csp, /script-src/);
        assert.doesNotMatch(response.body, /<script/i, 'pages other than the passkey ones need no JavaScript');
      }
      assert.doesNotMatch(response.body, /style="/, 'no inline styles (the CSP would block them)');
    });
  }

  it('SEC-51: session, login and sign-up responses carry Cache-Control: no-store', async () => {
    const login = await logInThroughApi(t.app, 'headers@example.com', testPassword);
    const session = await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) });
    const sessions = await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: withSession(token) });
    const account = await t.app.inject({ method: 'GET', url: '/account', headers: withSession(token) });
    const refused = await t.app.inject({ method: 'GET', url: '/v1/session' });
    for (const response of [login, session, sessions, account, refused]) assert.equal(response.headers['cache-control'], 'no-store');
  });

  it('SEC-51: a foreign Origin is never reflected in CORS headers, preflight included', async () => {
    const simple = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { ...withSession(token), origin: 'https://evil.example' } });
    const preflight = await t.app.inject({
      method: 'OPTIONS',
      url: '/v1/session',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'DELETE' },
    });
    for (const response of [simple, preflight]) {
      assert.equal(response.headers['access-control-allow-origin'], undefined);
      assert.equal(response.headers['access-control-allow-credentials'], undefined);
    }
  });

  it('the stylesheet is served same-origin and may be cached', async () => {
    const css = await t.app.inject({ method: 'GET', url: '/assets/style.css' });
    assert.equal(css.statusCode, 200);
    assert.match(String(css.headers['content-type']), /^text\/css/);
    assert.match(String(css.headers['cache-control']), /public/);
  });
});
