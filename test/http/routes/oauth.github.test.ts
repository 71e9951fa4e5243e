import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { githubPreset } from '../../../src/core/oauth-client/provider-config.ts';
import { redirectUri } from '../../../src/core/oauth-client/oauth-deps.ts';
import { startGitHubStandIn, type GitHubStandIn } from '../../support/github-stand-in.ts';
import { testOrigin, withSession } from '../../support/http-app.ts';
import { assertRefused, callback, withOAuthApp, sessionFrom, startLogin, type OAuthApp } from '../../support/oauth.ts';

/**
 * Login with GitHub through the GitHub preset, against a local STAND-IN for GitHub's
 * documented endpoints (test/support/github-stand-in.ts): GitHub is plain OAuth 2.0, not
 * OpenID Connect, so oidc-provider cannot stand in for it, and the real one cannot be reached
 * offline. The user comes from GET /user (numeric id) and the email from GET /user/emails
 * (primary and verified only).
 */

const credentials = { clientId: 'Iv1.gatehouse-test', clientSecret: 'github-test-secret' };
let github: GitHubStandIn;

before(async () => {
  github = await startGitHubStandIn({ ...credentials, redirectUri: redirectUri(testOrigin, 'github') });
});
after(() => github.close());

const withApp = (body: (t: OAuthApp) => Promise<void>): Promise<void> => withOAuthApp(null, body, { providers: [{ ...githubPreset, ...credentials }], githubEndpoints: github.endpoints });

/** Start, the stand-in's authorize redirect, and the callback. */
async function logIn(t: OAuthApp, tamper?: (back: URL) => void) {
  const started = await startLogin(t.app, '/account', 'github');
  const authorize = await fetch(started.authorizationUrl, { redirect: 'manual' });
  assert.equal(authorize.status, 302, await authorize.text());
  const back = new URL(String(authorize.headers.get('location')));
  tamper?.(back);
  return { started, response: await callback(t.app, back, { flow: started.flowCookie }) };
}

describe('login with GitHub (against a local stand-in for GitHub)', () => {
  it('the authorization request goes to GitHub with state, PKCE S256 and GitHub scopes, and no nonce', () =>
    withApp(async (t) => {
      const { authorizationUrl } = await startLogin(t.app, '/account', 'github');
      assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, github.endpoints.authorization);
      assert.equal(authorizationUrl.searchParams.get('scope'), 'read:user user:email');
      assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(authorizationUrl.searchParams.get('client_id'), credentials.clientId);
      assert.equal(authorizationUrl.searchParams.get('redirect_uri'), `${testOrigin}/v1/oauth/github/callback`);
      assert.equal(authorizationUrl.searchParams.get('state')?.length, 43);
      assert.equal(authorizationUrl.searchParams.get('nonce'), null);
    }));

  it('a first login takes the user id from /user and the verified primary email from /user/emails', () =>
    withApp(async (t) => {
      github.signInAs({ id: 583231, login: 'octocat', emails: [{ email: 'octo-other@example.com', primary: false, verified: true }, { email: 'Octocat@GitHub.example', primary: true, verified: true }] });
      const { response } = await logIn(t);
      assert.equal(response.statusCode, 303, response.body);
      const token = sessionFrom(response) ?? '';
      const me = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).json();
      assert.equal(me.user.email, 'octocat@github.example');
      const identity = await t.core.store.oauthIdentities.findBySubject('https://github.com', '583231');
      assert.equal(identity?.userId, me.user.id);
      assert.equal(identity?.provider, 'github');
      assert.equal(github.apiTokens.length >= 2, true, 'both APIs were called with the access token');
    }));

  it('a renamed GitHub login is still the same user: the numeric id is the subject', () =>
    withApp(async (t) => {
      github.signInAs({ id: 77, login: 'before', emails: [{ email: 'seventy-seven@example.com', primary: true, verified: true }] });
      const first = sessionFrom((await logIn(t)).response) ?? '';
      github.signInAs({ id: 77, login: 'after', emails: [{ email: 'seventy-seven@example.com', primary: true, verified: true }] });
      const second = sessionFrom((await logIn(t)).response) ?? '';
      const a = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(first) })).json();
      const b = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(second) })).json();
      assert.equal(a.user.id, b.user.id);
    }));

  it('no verified primary email: no account is made (SEC-71)', () =>
    withApp(async (t) => {
      github.signInAs({ id: 90, login: 'unverified', emails: [{ email: 'u@example.com', primary: true, verified: false }, { email: 'v@example.com', primary: false, verified: true }] });
      const { response } = await logIn(t);
      assertRefused(response, 'oauth_email_unverified');
      assert.deepEqual(await t.core.store.users.list({ limit: 10 }), []);
    }));

  it('a tampered state is refused before the code is redeemed (SEC-71)', () =>
    withApp(async (t) => {
      github.signInAs({ id: 91, login: 'x', emails: [{ email: 'x@example.com', primary: true, verified: true }] });
      const { response } = await logIn(t, (back) => back.searchParams.set('state', 'wrong'));
      assertRefused(response, 'oauth_response_invalid');
      assert.equal(t.hook.sent.filter((r) => r.url.pathname === '/login/oauth/access_token').length, 0);
    }));

  it("GitHub's 200-with-error token answer (a code redeemed twice) is refused (SEC-71)", () =>
    withApp(async (t) => {
      github.signInAs({ id: 92, login: 'y', emails: [{ email: 'y@example.com', primary: true, verified: true }] });
      const started = await startLogin(t.app, '/account', 'github');
      const back = new URL(String((await fetch(started.authorizationUrl, { redirect: 'manual' })).headers.get('location')));
      // Another flow redeems the code first (with the wrong verifier), so GitHub forgets it.
      await fetch(github.endpoints.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: new URLSearchParams({ client_id: credentials.clientId, client_secret: credentials.clientSecret, code: back.searchParams.get('code') ?? '', redirect_uri: `${testOrigin}/v1/oauth/github/callback`, code_verifier: 'x'.repeat(43) }) });
      assertRefused(await callback(t.app, back, { flow: started.flowCookie }), 'oauth_response_invalid');
    }));
});
