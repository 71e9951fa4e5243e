// RP-initiated logout through HTTP: docs/security.md SEC-220, SEC-221, SEC-222, SEC-226.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signJwt } from '../../../src/core/tokens/sign-jwt.ts';
import { clientRecord } from '../../support/client-record.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';

const registered = 'https://app.example/logged-out';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function setUp() {
  const t = await createTestApp();
  await t.core.store.clients.create(
    clientRecord({ id: 'app-1', name: 'Example App', type: 'confidential', secretHash: null, grantTypes: ['authorization_code'], audience: 'app-1', refreshTokenDelivery: 'body', createdAtMs: 0 }, { postLogoutRedirectUris: [registered] }),
  );
  const token = await signUpThroughApi(t.app, 'ada@example.com', testPassword);
  const current = (await t.core.store.sessions.findWithUser(token.split('.')[0]!))!;
  const idToken = async (claims: Record<string, unknown> = {}): Promise<string> => {
    const { kid, alg, privateKey } = await t.tokens.keyRing.activeKey();
    const now = Math.floor(t.core.clock.nowMs() / 1000);
    return signJwt({ alg, kid, typ: 'JWT' }, { iss: testOrigin, sub: current.user.id, aud: 'app-1', sid: current.session.id, iat: now, exp: now + 300, ...claims }, privateKey);
  };
  const alive = async (): Promise<boolean> => (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).statusCode === 200;
  return { t, token, idToken, alive };
}

describe('GET and POST /end-session', () => {
  it('a hint of this session: ends it at once, clears the cookie, and sends the browser to the registered URI with state', async () => {
    const { t, token, idToken, alive } = await setUp();
    try {
      const query = new URLSearchParams({ id_token_hint: await idToken(), post_logout_redirect_uri: registered, state: 'st-1' });
      const response = await t.app.inject({ method: 'GET', url: `/end-session?${query}`, headers: { ...withSession(token), 'sec-fetch-site': 'cross-site' } });
      assert.equal(response.statusCode, 303, response.body);
      assert.equal(response.headers.location, `${registered}?state=st-1`);
      assert.equal(await alive(), false);
      assert.equal(response.cookies.find((c) => c.name === '__Host-gatehouse_session')?.value, '');
    } finally {
      await t.close();
    }
  });

  it('an unregistered or altered post_logout_redirect_uri is an error page: no redirect, the session lives (SEC-220)', async () => {
    const { t, token, idToken, alive } = await setUp();
    try {
      for (const uri of ['https://evil.example/', `${registered}?foo=bar`, `${registered}.evil.example`, 'https://app.example/LOGGED-OUT', '//evil.example/']) {
        const query = new URLSearchParams({ id_token_hint: await idToken(), post_logout_redirect_uri: uri, state: 's' });
        const response = await t.app.inject({ method: 'GET', url: `/end-session?${query}`, headers: withSession(token) });
        assert.equal(response.statusCode, 400, uri);
        assert.equal(response.headers.location, undefined, uri);
        assert.match(response.body, /data-reason="unregistered_post_logout_redirect_uri"/);
        assert.doesNotMatch(response.body, /evil/, 'the request is not echoed');
      }
      assert.equal(await alive(), true);
    } finally {
      await t.close();
    }
  });

  it('a forged or modified id_token_hint is an error page: no redirect, no logout (SEC-221)', async () => {
    const { t, token, idToken, alive } = await setUp();
    try {
      const good = await idToken();
      const [h, p] = good.split('.') as [string, string];
      const forgedPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sid: 'other' })).toString('base64url');
      for (const hint of [`${h}.${forgedPayload}.${good.split('.')[2]}`, `${good.slice(0, -20)}${good.at(-20) === 'A' ? 'B' : 'A'}${good.slice(-19)}`, 'not.a.jwt', await idToken({ iss: 'https://evil.example' })]) {
        const query = new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: registered });
        const response = await t.app.inject({ method: 'GET', url: `/end-session?${query}`, headers: withSession(token) });
        assert.equal(response.statusCode, 400);
        assert.equal(response.headers.location, undefined);
        assert.match(response.body, /data-reason="invalid_id_token_hint"/);
      }
      assert.equal(await alive(), true);
    } finally {
      await t.close();
    }
  });

  it('without a hint it asks first; the page cannot be framed; only a same-origin confirmation ends the session (SEC-222, SEC-226)', async () => {
    const { t, token, alive } = await setUp();
    try {
      const asked = await t.app.inject({ method: 'GET', url: '/end-session?client_id=app-1&state=s', headers: { ...withSession(token), 'sec-fetch-site': 'cross-site' } });
      assert.equal(asked.statusCode, 200);
      assert.match(asked.body, /data-end-session="confirm"/);
      assert.match(asked.body, /Example App asks to end your Gatehouse session/);
      assert.match(String(asked.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.equal(asked.headers['x-frame-options'], 'DENY');
      assert.equal(await alive(), true, 'asking ends nothing');

      const crossSite = await t.app.inject({ method: 'POST', url: '/end-session/confirm', headers: { ...withSession(token), ...form, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, payload: 'client_id=app-1' });
      assert.equal(crossSite.statusCode, 403);
      assert.equal(await alive(), true, 'a cross-site confirmation is refused');

      const confirmed = await t.app.inject({ method: 'POST', url: '/end-session/confirm', headers: { ...withSession(token), ...form, 'sec-fetch-site': 'same-origin', origin: testOrigin }, payload: 'client_id=app-1&state=s' });
      assert.equal(confirmed.statusCode, 200);
      assert.match(confirmed.body, /data-end-session="logged-out"/);
      assert.equal(confirmed.headers.location, undefined, 'no hint, no redirect');
      assert.equal(await alive(), false);
    } finally {
      await t.close();
    }
  });

  it('a cross-site POST carries no Lax cookie: it becomes the same request as a GET; an expired hint of this session still logs out', async () => {
    const { t, token, idToken, alive } = await setUp();
    try {
      const hint = await idToken({ iat: 1, exp: 2 });
      const posted = await t.app.inject({ method: 'POST', url: '/end-session', headers: { ...form, 'sec-fetch-site': 'cross-site', origin: 'https://app.example' }, payload: new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: registered, state: 'p' }).toString() });
      assert.equal(posted.statusCode, 303, posted.body);
      const location = new URL(String(posted.headers.location), testOrigin);
      assert.equal(location.pathname, '/end-session');
      assert.equal(location.searchParams.get('id_token_hint'), hint);
      const followed = await t.app.inject({ method: 'GET', url: `${location.pathname}${location.search}`, headers: { ...withSession(token), 'sec-fetch-site': 'cross-site' } });
      assert.equal(followed.statusCode, 303);
      assert.equal(followed.headers.location, `${registered}?state=p`);
      assert.equal(await alive(), false);
    } finally {
      await t.close();
    }
  });

  it('with nobody signed in: no confirmation, the logged-out page (or the registered redirect)', async () => {
    const { t, idToken } = await setUp();
    try {
      const page = await t.app.inject({ method: 'GET', url: '/end-session' });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /data-end-session="logged-out"/);
      const query = new URLSearchParams({ id_token_hint: await idToken(), post_logout_redirect_uri: registered });
      const back = await t.app.inject({ method: 'GET', url: `/end-session?${query}` });
      assert.equal(back.headers.location, registered);
    } finally {
      await t.close();
    }
  });
});

describe('GET /end-session with an access token as the hint', () => {
  it('an access token of this very session (what any API it was sent to holds) is no ID token: no logout without asking, no redirect (SEC-215)', async () => {
    const { t, token, alive } = await setUp();
    try {
      const current = (await t.core.store.sessions.findWithUser(token.split('.')[0]!))!;
      const { kid, alg, privateKey } = await t.tokens.keyRing.activeKey();
      const now = Math.floor(t.core.clock.nowMs() / 1000);
      const accessToken = await signJwt({ alg, kid, typ: 'at+jwt' }, { iss: testOrigin, sub: current.user.id, aud: 'app-1', client_id: 'app-1', sid: current.session.id, iat: now, exp: now + 300, jti: 'at-1' }, privateKey);
      const query = new URLSearchParams({ id_token_hint: accessToken, post_logout_redirect_uri: registered, state: 's' });
      const response = await t.app.inject({ method: 'GET', url: `/end-session?${query}`, headers: { ...withSession(token), 'sec-fetch-site': 'cross-site' } });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(response.headers.location, undefined);
      assert.match(response.body, /data-reason="invalid_id_token_hint"/);
      const bare = await t.app.inject({ method: 'GET', url: `/end-session?${new URLSearchParams({ id_token_hint: accessToken })}`, headers: { ...withSession(token), 'sec-fetch-site': 'cross-site' } });
      assert.doesNotMatch(bare.body, /data-end-session="logged-out"/);
      assert.equal(await alive(), true);
    } finally {
      await t.close();
    }
  });
});
