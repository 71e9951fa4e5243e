// Browser clients: the refresh token travels only in an HttpOnly __Host- cookie (issue 3, "browsers
// never hold a token where a script can read it"), with docs/security.md SEC-16, SEC-30 and SEC-31 on that path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { refreshCookieName } from '../../../src/http/refresh-cookie.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, type TestApp } from '../../support/http-app.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const cookieName = refreshCookieName('web');
const week = 7 * 24 * 3600;

interface InjectedCookie {
  name: string;
  value: string;
  maxAge?: number;
  expires?: Date;
  path?: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
}

describe('browser clients: the refresh token in an HttpOnly cookie', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await signUpThroughApi(t.app, 'browser@example.com', testPassword);
    await createClient(t.core, { id: 'web', name: 'Web app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com', refreshTokenDelivery: 'cookie' });
  });
  after(() => t.close());

  const post = (url: string, fields: Record<string, string>, options: { cookie?: string; headers?: Record<string, string> } = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { ...form, origin: testOrigin, 'sec-fetch-site': 'same-origin', ...options.headers },
      ...(options.cookie === undefined ? {} : { cookies: { [cookieName]: options.cookie } }),
      payload: new URLSearchParams(fields).toString(),
    });
  const logIn = () => post('/v1/token', { grant_type: 'password', username: 'browser@example.com', password: testPassword, client_id: 'web' });
  const refresh = (cookie?: string) => post('/v1/token', { grant_type: 'refresh_token', client_id: 'web' }, cookie === undefined ? {} : { cookie });
  const refreshCookie = (response: { cookies: InjectedCookie[] }): InjectedCookie | undefined => response.cookies.find((c) => c.name === cookieName);
  const loggedIn = async (): Promise<string> => {
    const response = await logIn();
    assert.equal(response.statusCode, 200, response.body);
    return refreshCookie(response)?.value ?? assert.fail('no refresh cookie');
  };

  it('the password grant sets the refresh token as a __Host- HttpOnly Secure SameSite=Strict cookie, and leaves it out of the body (SEC-73)', async () => {
    const response = await logIn();
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json();
    assert.equal(body.refresh_token, undefined, 'no refresh token where a script could read it');
    assert.ok(decodeJwt(body.access_token).sid);
    const cookie = refreshCookie(response) ?? assert.fail('no refresh cookie');
    assert.match(cookie.value, /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      { path: cookie.path, httpOnly: cookie.httpOnly, secure: cookie.secure, sameSite: cookie.sameSite, maxAge: cookie.maxAge },
      { path: '/', httpOnly: true, secure: true, sameSite: 'Strict', maxAge: week },
    );
    const raw = String(response.headers['set-cookie']);
    assert.match(raw, /^__Host-gatehouse_refresh_web=/);
    assert.doesNotMatch(raw, /Domain=/i, '__Host- cookies carry no Domain');
  });

  it('the refresh grant reads the cookie, rotates it, and answers with an access token only', async () => {
    const first = await loggedIn();
    const response = await refresh(first);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().refresh_token, undefined);
    assert.ok(response.json().access_token);
    const next = refreshCookie(response) ?? assert.fail('the rotated token is set again');
    assert.notEqual(next.value, first);
    assert.equal((await refresh(next.value)).statusCode, 200, 'the successor works');
  });

  it('a refresh token in the body is refused for a browser client, and the cookie is left as it was (SEC-73)', async () => {
    const cookie = await loggedIn();
    const response = await post('/v1/token', { grant_type: 'refresh_token', client_id: 'web', refresh_token: cookie }, { cookie });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_request');
    assert.equal(refreshCookie(response), undefined);
    assert.equal((await refresh(cookie)).statusCode, 200, 'not rotated by the refused request');
  });

  it('no cookie -> invalid_grant ("log in again")', async () => {
    const response = await refresh();
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().error, 'invalid_grant');
  });

  it('SEC-31: two tabs refreshing with the same cookie at once both succeed, with the same successor', async () => {
    const cookie = await loggedIn();
    const [a, b] = await Promise.all([refresh(cookie), refresh(cookie)]);
    assert.equal(a.statusCode, 200, a.body);
    assert.equal(b.statusCode, 200, b.body);
    assert.equal(refreshCookie(a)?.value, refreshCookie(b)?.value, 'the same successor for both tabs');
    assert.notEqual(a.json().access_token, b.json().access_token, 'each tab its own access token');
  });

  it('SEC-30: a rotated cookie replayed after the grace window -> invalid_grant, the cookie cleared, the family and session revoked', async () => {
    const cookie = await loggedIn();
    const next = refreshCookie(await refresh(cookie))?.value ?? assert.fail('rotated');
    t.core.clock.advance(11_000);
    const replay = await refresh(cookie);
    assert.equal(replay.statusCode, 400);
    assert.equal(replay.json().error, 'invalid_grant');
    const cleared = refreshCookie(replay) ?? assert.fail('the dead cookie is cleared');
    assert.equal(cleared.value, '');
    assert.ok(cleared.expires !== undefined && cleared.expires.getTime() <= Date.now(), 'expired in the past');
    assert.equal((await refresh(next)).statusCode, 400, 'the successor died with its family');
  });

  it('SEC-16: a cross-site request with the cookie is refused before any rotation', async () => {
    const cookie = await loggedIn();
    for (const headers of [{ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, { 'sec-fetch-site': 'same-site', origin: 'https://evil.localhost' }]) {
      const response = await post('/v1/token', { grant_type: 'refresh_token', client_id: 'web' }, { cookie, headers });
      assert.notEqual(response.statusCode, 200);
      assert.equal(response.json().error, 'invalid_request');
      assert.equal(refreshCookie(response), undefined);
    }
    assert.equal((await refresh(cookie)).statusCode, 200, 'not rotated by the refused requests');
  });

  it('logout: /v1/token/revoke with only the client id revokes the cookie token, ends its session, and clears the cookie', async () => {
    const login = await logIn();
    const cookie = refreshCookie(login)?.value ?? assert.fail('cookie');
    const accessToken = login.json().access_token as string;
    const response = await post('/v1/token/revoke', { client_id: 'web' }, { cookie });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(refreshCookie(response)?.value, '', 'cleared');
    assert.equal((await refresh(cookie)).statusCode, 400, 'the refresh token is dead');
    const sid = decodeJwt(accessToken).sid as string;
    assert.equal(await t.core.store.sessions.findWithUser(sid), null, 'the session has ended');
    const again = await post('/v1/token/revoke', { client_id: 'web' });
    assert.equal(again.statusCode, 200, 'logging out twice is fine');
  });
});
