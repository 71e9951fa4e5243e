// docs/security.md SEC-16, SEC-17, SEC-18 ("CSRF and browser requests"), through the real HTTP app.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';

describe('CSRF and browser requests', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp();
    token = await signUpThroughApi(t.app, 'csrf@example.com', testPassword);
  });
  after(() => t.close());

  const crossSite = [
    { name: 'Origin of another site', headers: { origin: 'https://evil.example' } },
    { name: 'Sec-Fetch-Site: cross-site', headers: { 'sec-fetch-site': 'cross-site' } },
    { name: 'Sec-Fetch-Site: same-site (a sibling subdomain)', headers: { 'sec-fetch-site': 'same-site', origin: 'https://evil.auth.test' } },
    { name: 'Origin: null (sandboxed frame, data: URL)', headers: { origin: 'null' } },
    { name: 'same host, other scheme', headers: { origin: 'http://auth.test' } },
  ];

  const stateChanging = [
    { method: 'POST', url: '/v1/users', json: { email: 'x@example.com', password: testPassword } },
    { method: 'POST', url: '/v1/session', json: { email: 'csrf@example.com', password: testPassword } },
    { method: 'DELETE', url: '/v1/session' },
    { method: 'DELETE', url: '/v1/sessions' },
    { method: 'DELETE', url: '/v1/sessions/abc' },
    { method: 'POST', url: '/v1/me/password', json: { currentPassword: testPassword, newPassword: 'another long passphrase' } },
    { method: 'DELETE', url: '/v1/me', json: { password: testPassword } },
    { method: 'POST', url: '/logout', form: '' },
    { method: 'POST', url: '/account/password', form: `currentPassword=x&newPassword=y` },
    { method: 'POST', url: '/account/sessions/revoke-others', form: '' },
  ] as const;

  for (const request of stateChanging) {
    for (const attack of crossSite) {
      it(`SEC-16: ${request.method} ${request.url} with ${attack.name} -> 403`, async () => {
        const isForm = 'form' in request;
        const response = await t.app.inject({
          method: request.method,
          url: request.url,
          headers: {
            ...withSession(token),
            ...attack.headers,
            ...(isForm ? { 'content-type': 'application/x-www-form-urlencoded' } : 'json' in request ? { 'content-type': 'application/json' } : {}),
          },
          ...(isForm ? { payload: request.form } : 'json' in request ? { payload: request.json } : {}),
        });
        assert.equal(response.statusCode, 403);
        assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
        assert.equal(response.json().code, 'forbidden_origin');
      });
    }
  }

  it('SEC-16: the refused requests changed nothing: the session is alive and the password unchanged', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).statusCode, 200);
    const login = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'csrf@example.com', password: testPassword } });
    assert.equal(login.statusCode, 200);
  });

  it('SEC-17: login CSRF: a cross-site POST of the login form -> 403 and no session cookie', async () => {
    for (const attack of crossSite) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { ...attack.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: `email=csrf%40example.com&password=${encodeURIComponent(testPassword)}`,
      });
      assert.equal(response.statusCode, 403, attack.name);
      assert.equal(response.headers['set-cookie'], undefined);
    }
  });

  it('SEC-17: the same login form posted from our own origin works', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' },
      payload: `email=csrf%40example.com&password=${encodeURIComponent(testPassword)}`,
    });
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, '/account');
    assert.match(String(response.headers['set-cookie']), /__Host-gatehouse_session=/);
  });

  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    it(`SEC-18: a JSON endpoint called with ${contentType} -> 415`, async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/session',
        headers: { origin: testOrigin, 'content-type': contentType },
        payload: contentType === 'text/plain' ? JSON.stringify({ email: 'csrf@example.com', password: testPassword }) : 'email=csrf%40example.com',
      });
      assert.equal(response.statusCode, 415);
      assert.equal(response.json().code, 'unsupported_media_type');
      assert.equal(response.headers['set-cookie'], undefined);
    });
  }

  for (const [method, url] of [['GET', '/v1/users'], ['GET', '/v1/me/password'], ['PUT', '/v1/me'], ['PUT', '/v1/session'], ['GET', '/account/password'], ['GET', '/account/sessions/revoke-others']] as const) {
    it(`SEC-18: ${method} ${url} (a state change by the wrong method) -> 405 with Allow`, async () => {
      const response = await t.app.inject({ method, url, headers: withSession(token) });
      assert.equal(response.statusCode, 405);
      assert.equal(response.json().code, 'method_not_allowed');
      assert.ok(String(response.headers.allow).length > 0);
    });
  }

  it('a same-origin browser POST that reports Origin: null (privacy settings) is accepted on Sec-Fetch-Site', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/session',
      headers: { origin: 'null', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      payload: { email: 'csrf@example.com', password: testPassword },
    });
    assert.equal(response.statusCode, 200);
  });

  it('a request without Origin or Sec-Fetch-Site (not a browser: curl, a backend) is allowed', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/json' }, payload: { email: 'csrf@example.com', password: testPassword } });
    assert.equal(response.statusCode, 200);
  });
});
