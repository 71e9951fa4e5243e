import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { redirectUri } from '../../../src/core/oauth-client/oauth-deps.ts';
import { startDemoIdp, type DemoIdp } from '../../../src/dev/demo-idp.ts';
import { testOrigin, withSession } from '../../support/http-app.ts';
import { anIdpUser, assertRefused, callback, createOAuthApp, IdpBrowser, logInWithProvider, sessionFrom, startLogin, testClientId, testClientSecret } from '../../support/oauth.ts';

/**
 * Providers that behave differently from the default demo IdP: one that puts the email only at
 * its userinfo endpoint, and one that stops answering between the redirect and the callback.
 */

const person = anIdpUser({ email: 'userinfo-only@example.com' });
let idp: DemoIdp;

before(async () => {
  idp = await startDemoIdp({ port: 0, users: [person], emailClaims: 'userinfo-only', clients: [{ clientId: testClientId, clientSecret: testClientSecret, redirectUris: [redirectUri(testOrigin, 'demo')] }] });
});
after(() => idp.close());

describe('provider variants', () => {
  it('a provider that keeps the email out of the ID token: it is fetched from userinfo, for the same subject', async () => {
    const t = await createOAuthApp(idp);
    try {
      const response = await logInWithProvider(t.app, new IdpBrowser(person));
      const token = sessionFrom(response);
      assert.ok(token !== undefined, response.body);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).json().user.email, 'userinfo-only@example.com');
      const tokenAnswer = t.hook.sent.findIndex((r) => r.url.pathname.endsWith('/token'));
      const userinfo = t.hook.sent.findIndex((r) => r.url.pathname.endsWith('/me'));
      assert.ok(tokenAnswer >= 0 && userinfo > tokenAnswer, 'userinfo was asked after the token endpoint');
    } finally {
      await t.close();
    }
  });

  it('the email in the ID token really was absent (so the test above exercised userinfo)', async () => {
    const t = await createOAuthApp(idp);
    try {
      let idToken = '';
      t.hook.intercept = async (url, init, real) => {
        const response = await real(url, init);
        if (!url.pathname.endsWith('/token')) return response;
        const body = (await response.clone().json()) as { id_token: string };
        idToken = body.id_token;
        return response;
      };
      await logInWithProvider(t.app, new IdpBrowser(person));
      assert.equal(decodeJwt(idToken).email, undefined);
    } finally {
      await t.close();
    }
  });

  it('a provider that cannot be reached at the token endpoint: a 502 page offering to try again, nobody logged in', async () => {
    const t = await createOAuthApp(idp);
    try {
      const started = await startLogin(t.app);
      const back = await new IdpBrowser(person).authorize(started.authorizationUrl);
      t.hook.intercept = async () => {
        throw new TypeError('fetch failed');
      };
      const response = await callback(t.app, back, { flow: started.flowCookie });
      assert.equal(response.statusCode, 502);
      assertRefused(response, 'oauth_provider_unavailable');
      assert.match(response.body, /Try again with Demo IdP/);
      assert.deepEqual(await t.core.store.users.list({ limit: 5 }), []);
    } finally {
      await t.close();
    }
  });

  it('a provider error other than access_denied is refused as an invalid answer, with its error code shown (SEC-71)', async () => {
    const t = await createOAuthApp(idp);
    try {
      const started = await startLogin(t.app);
      const back = new URL(`${testOrigin}/v1/oauth/demo/callback`);
      back.searchParams.set('error', 'server_error');
      back.searchParams.set('state', started.authorizationUrl.searchParams.get('state') ?? '');
      back.searchParams.set('iss', idp.issuer);
      const response = await callback(t.app, back, { flow: started.flowCookie });
      assertRefused(response, 'oauth_response_invalid');
      assert.match(response.body, /server_error/);
    } finally {
      await t.close();
    }
  });
});
