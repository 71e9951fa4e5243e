import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { deriveProviderTokenKeys, decryptProviderTokens } from '../../../src/core/oauth-client/provider-tokens.ts';
import { flowCookieName } from '../../../src/http/oauth-flow-cookie.ts';
import { sameOriginJson, testOrigin, withSession } from '../../support/http-app.ts';
import { clientRecord } from '../../support/client-record.ts';
import {
  anIdpUser,
  assertRefused,
  callback,
  withOAuthApp,
  IdpBrowser,
  logInWithProvider,
  sessionFrom,
  startLogin,
  startTestIdp,
  type OAuthApp,
  type OAuthAppOptions,
} from '../../support/oauth.ts';

/**
 * Social login end to end over HTTP, against a real OpenID provider (oidc-provider, through
 * the demo IdP module) on loopback: start, the provider's own login and consent pages, the
 * callback, the session. Each test has its own app and store; the provider is shared.
 */

const ada = anIdpUser({ email: 'Ada@Example.com' });
const bob = anIdpUser();
const carol = anIdpUser();
const dora = anIdpUser();
const eve = anIdpUser();
let idp: DemoIdp;

before(async () => {
  idp = await startTestIdp([ada, bob, carol, dora, eve]);
});
after(() => idp.close());

const withApp = (body: (t: OAuthApp) => Promise<void>, options: OAuthAppOptions = {}): Promise<void> => withOAuthApp(idp, body, options);

describe('social login with an OpenID provider', () => {
  it('a first login creates an account without a password, starts a session and returns to return_to', () =>
    withApp(async (t) => {
      const response = await logInWithProvider(t.app, new IdpBrowser(ada), { returnTo: '/account?tab=security' });
      assert.equal(response.statusCode, 303, response.body);
      assert.equal(response.headers.location, '/account?tab=security');
      const token = sessionFrom(response);
      assert.ok(token !== undefined);
      const cookie = response.cookies.find((c) => c.name === '__Host-gatehouse_session');
      assert.deepEqual([cookie?.secure, cookie?.httpOnly, cookie?.sameSite, cookie?.path, cookie?.domain], [true, true, 'Lax', '/', undefined]);
      assert.equal(response.headers['cache-control'], 'no-store', 'the callback is never cached (SEC-51)');
      const cleared = response.cookies.find((c) => c.name === flowCookieName);
      assert.equal(cleared?.value, '', 'the flow cookie is cleared');

      const me = await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().user.email, 'ada@example.com', 'the email is normalized');
      const user = await t.core.store.users.findByEmail('ada@example.com');
      assert.equal(user?.passwordHash, null, 'no password');
      const [identity] = await t.core.store.oauthIdentities.listByUser(user?.id ?? '');
      assert.deepEqual([identity?.issuer, identity?.subject, identity?.provider, identity?.tokensJwe], [idp.issuer, ada.sub, 'demo', null]);
    }));

  it('the same identity logs in to the same user again, with a new session id each time', () =>
    withApp(async (t) => {
      const first = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(bob)));
      const second = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(bob)));
      assert.ok(first !== undefined && second !== undefined);
      assert.notEqual(first.split('.')[0], second.split('.')[0]);
      const a = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(first) })).json();
      const b = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(second) })).json();
      assert.equal(a.user.id, b.user.id);
      assert.equal((await t.core.store.users.list({ limit: 10 })).length, 1);
    }));

  it('a session planted before the login is ended; the login gets a new id (SEC-10)', () =>
    withApp(async (t) => {
      const planted = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(carol)));
      assert.ok(planted !== undefined);
      const response = await logInWithProvider(t.app, new IdpBrowser(carol), { session: planted });
      const fresh = sessionFrom(response);
      assert.ok(fresh !== undefined && fresh !== planted);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(planted) })).statusCode, 401);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(fresh) })).statusCode, 200);
    }));

  it('the session works for POST /v1/session/token like any other session', () =>
    withApp(async (t) => {
      const token = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(dora)));
      assert.ok(token !== undefined);
      await t.core.store.clients.create(clientRecord({ id: 'spa', name: 'SPA', type: 'public', secretHash: null, grantTypes: ['session'], audience: 'https://api.example.com', refreshTokenDelivery: 'body', createdAtMs: 0 }));
      const response = await t.app.inject({ method: 'POST', url: '/v1/session/token', headers: { ...sameOriginJson, ...withSession(token) }, payload: { client_id: 'spa' } });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(typeof response.json().access_token, 'string');
    }));

  it('password login refuses an account that has no password, exactly as a wrong password', () =>
    withApp(async (t) => {
      await logInWithProvider(t.app, new IdpBrowser(ada));
      const response = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'ada@example.com', password: 'any long password at all here' } });
      const unknown = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'nobody@example.com', password: 'any long password at all here' } });
      assert.equal(response.statusCode, 401);
      assert.deepEqual(response.json(), unknown.json());
    }));

  it('a denied consent lands on a clear page that offers to try again; nobody is logged in', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app, '/account');
      const back = await new IdpBrowser(eve).authorize(started.authorizationUrl, { consent: 'deny' });
      assert.equal(back.searchParams.get('error'), 'access_denied');
      const response = await callback(t.app, back, { flow: started.flowCookie });
      assert.equal(response.statusCode, 403);
      assertRefused(response, 'oauth_denied');
      assert.match(response.body, /Try again with Demo IdP/);
      assert.match(response.body, /href="\/v1\/oauth\/demo\/start\?return_to=%2Faccount"/);
      assert.equal((await t.core.store.users.list({ limit: 10 })).length, 0);
      assert.equal((await t.core.store.audit.list({ limit: 1 }))[0]?.type, 'oauth.login_failed');
    }));

  it('an expired flow record (10 minutes, injected clock) lands on the try-again page', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app, '/account');
      const back = await new IdpBrowser(bob).authorize(started.authorizationUrl);
      t.core.clock.advance(10 * 60 * 1000);
      const response = await callback(t.app, back, { flow: started.flowCookie });
      assertRefused(response, 'oauth_flow_invalid');
      assert.match(response.body, /expired/);
      assert.match(response.body, /Try again with Demo IdP/);
    }));

  it('a flow finished just before its 10 minutes are up still logs in', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app, '/account');
      const back = await new IdpBrowser(bob).authorize(started.authorizationUrl);
      t.core.clock.advance(10 * 60 * 1000 - 1);
      const response = await callback(t.app, back, { flow: started.flowCookie });
      assert.equal(response.statusCode, 303, response.body);
      assert.ok(sessionFrom(response) !== undefined);
    }));

  it("the provider's tokens are kept only when configured, encrypted, and never reach the browser (SEC-69)", () => {
    const keys = deriveProviderTokenKeys(['a-server-secret-of-at-least-32-characters']);
    return withApp(
      async (t) => {
        const response = await logInWithProvider(t.app, new IdpBrowser(ada));
        const user = await t.core.store.users.findByEmail('ada@example.com');
        const [identity] = await t.core.store.oauthIdentities.listByUser(user?.id ?? '');
        const jwe = identity?.tokensJwe ?? '';
        assert.equal(jwe.split('.').length, 5, 'a compact JWE');
        const tokens = await decryptProviderTokens(jwe, keys);
        assert.equal(typeof tokens.access_token, 'string');
        assert.ok(!jwe.includes(String(tokens.access_token)));
        for (const leak of [response.body, JSON.stringify(response.headers)]) assert.ok(!leak.includes(String(tokens.access_token)));
        const listed = await t.app.inject({ method: 'GET', url: '/v1/me/identities', headers: withSession(sessionFrom(response) ?? '') });
        assert.ok(!listed.body.includes(String(tokens.access_token)) && !listed.body.includes(jwe));
        await assert.rejects(decryptProviderTokens(jwe, deriveProviderTokenKeys(['another-server-secret-of-32-characters!'])));
      },
      { providerTokenKeys: keys },
    );
  });

  it('the start redirect is not cached and carries the client id, redirect URI and response_type=code', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app, '/account');
      assert.equal(started.response.headers['cache-control'], 'no-store');
      const url = started.authorizationUrl;
      assert.equal(`${url.origin}${url.pathname}`, `${idp.issuer}/auth`);
      assert.deepEqual(
        ['client_id', 'redirect_uri', 'response_type', 'scope'].map((k) => url.searchParams.get(k)),
        ['gatehouse-test', `${testOrigin}/v1/oauth/demo/callback`, 'code', 'openid email profile'],
      );
    }));

  it('starts are throttled per IP (each stores a flow record): past the free 60, a wait with Retry-After and nothing stored; other IPs unaffected (SEC-70)', () =>
    withApp(async (t) => {
      const start = (remoteAddress: string) => t.app.inject({ method: 'GET', url: '/v1/oauth/demo/start', remoteAddress, headers: { accept: 'text/html' } });
      for (let i = 0; i < 60; i++) assert.equal((await start('203.0.113.7')).statusCode, 302, `start ${i + 1}`);
      const refused = await start('203.0.113.7');
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1, 'says when to try again');
      assert.equal(refused.headers['set-cookie'], undefined, 'no flow cookie');
      assert.equal(await t.core.store.oauthFlows.deleteExpired(t.core.clock.nowMs() + t.oauth.flowTtlMs), 60, 'only the 60 allowed starts stored a flow');
      assert.equal((await start('203.0.113.8')).statusCode, 302, 'another IP is not held back');
      t.core.clock.advance(1000);
      assert.equal((await start('203.0.113.7')).statusCode, 302, 'the wait is temporary');
    }));

  it('an unknown provider id is a clear 404 page, not a redirect', () =>
    withApp(async (t) => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/oauth/nope/start', headers: { accept: 'text/html' } });
      assert.equal(response.statusCode, 404);
      assertRefused(response, 'oauth_provider_unknown');
    }));

  it('return_to is limited to same-origin paths (reuses safeReturnTo): //evil.example falls back to /account', () =>
    withApp(async (t) => {
      const response = await logInWithProvider(t.app, new IdpBrowser(bob), { returnTo: '//evil.example/x' });
      assert.equal(response.headers.location, '/account');
      const absolute = await logInWithProvider(t.app, new IdpBrowser(bob), { returnTo: 'https://evil.example/' });
      assert.equal(absolute.headers.location, '/account');
    }));

  it('GET /v1/oauth/providers lists each provider with its start URL and redirect URI', () =>
    withApp(async (t) => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/oauth/providers' });
      assert.deepEqual(response.json(), {
        providers: [{ id: 'demo', name: 'Demo IdP', startUrl: `${testOrigin}/v1/oauth/demo/start`, redirectUri: `${testOrigin}/v1/oauth/demo/callback` }],
      });
    }));
});
