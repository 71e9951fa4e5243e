// A port of the OpenID Foundation's RP-Initiated Logout OP test plan
// (oidcc-rp-initiated-logout-certification-test-plan): one test per module, named after it, with
// openid-client as the relying party against a real server. docs/security.md SEC-220, SEC-221, SEC-222.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../support/start-server.ts';
import { browserGet, codeFlow, gatehouseSession, promptNoneError, registerRelyingParty } from '../support/op-session.ts';

const redirectUri = 'http://127.0.0.1:9/callback';
const postLogoutRedirectUri = 'http://127.0.0.1:9/post_logout_redirect';

describe('OpenID RP-initiated logout OP plan (ported)', () => {
  let server: TestServer;
  let config: client.Configuration;
  let users = 0;

  before(async () => {
    server = await startTestServer();
    ({ config } = await registerRelyingParty(server, { id: 'rp-logout', name: 'Logout RP', redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri], skipConsent: true }));
  });
  after(() => server.close());

  /** A new user, logged in to Gatehouse and to the app: the first half of every module. */
  const signedIn = async () => {
    const cookie = await gatehouseSession(server, `logout-${++users}@example.com`);
    const tokens = await codeFlow(config, redirectUri, cookie);
    return { cookie, idToken: tokens.id_token!, claims: tokens.claims()! };
  };
  const endSession = (cookie: string, params: Record<string, string>) => browserGet(client.buildEndSessionUrl(config, params), cookie);
  const stillSignedIn = async (cookie: string) => (await fetch(`${server.url}/v1/session`, { headers: { cookie } })).status === 200;

  it('oidcc-rp-initiated-logout-discovery-endpoint-verification: end_session_endpoint is advertised', () => {
    assert.equal(config.serverMetadata().end_session_endpoint, `${server.url}/end-session`);
  });

  it('oidcc-rp-initiated-logout: back to the post_logout_redirect_uri with state and nothing else; then prompt=none answers login_required', async () => {
    const { cookie, idToken } = await signedIn();
    const state = 'x'.repeat(64) + client.randomState() + 'y'.repeat(21);
    const response = await endSession(cookie, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri, state });
    assert.equal(response.status, 303);
    const back = new URL(response.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, postLogoutRedirectUri);
    assert.deepEqual([...back.searchParams], [['state', state]], 'state exactly as sent, and no other parameter');
    assert.equal(await stillSignedIn(cookie), false);
    assert.equal(await promptNoneError(config, redirectUri, cookie), 'login_required');
  });

  it('oidcc-rp-initiated-logout-bad-post-logout-redirect-uri: an unregistered URI is an error page, never a redirect (SEC-220)', async () => {
    const { cookie, idToken } = await signedIn();
    const response = await endSession(cookie, { id_token_hint: idToken, post_logout_redirect_uri: 'http://127.0.0.1:9/not-registered', state: 's' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /cannot be completed/);
  });

  it('oidcc-rp-initiated-logout-modified-id-token-hint: a hint with a broken signature is an error page, no redirect, no logout (SEC-221)', async () => {
    const { cookie, idToken } = await signedIn();
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const modified = `${header}.${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const response = await endSession(cookie, { id_token_hint: modified, post_logout_redirect_uri: postLogoutRedirectUri, state: 's' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.equal(await stillSignedIn(cookie), true);
  });

  it('oidcc-rp-initiated-logout-bad-id-token-hint: a hint that is not a JWT is an error page, no redirect (SEC-221)', async () => {
    const { cookie } = await signedIn();
    const response = await endSession(cookie, { id_token_hint: 'this-is-not-an-id-token', post_logout_redirect_uri: postLogoutRedirectUri, state: 's' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.equal(await stillSignedIn(cookie), true);
  });

  it('oidcc-rp-initiated-logout-no-id-token-hint: a post_logout_redirect_uri without id_token_hint is never followed (SEC-220)', async () => {
    const { cookie } = await signedIn();
    const response = await endSession(cookie, { post_logout_redirect_uri: postLogoutRedirectUri, state: 's', client_id: 'rp-logout' });
    assert.equal(response.headers.get('location'), null);
    assert.equal(response.status, 400);
    assert.equal(await stillSignedIn(cookie), true);
  });

  it('oidcc-rp-initiated-logout-no-params: the user confirms, is logged out, and is not sent anywhere (SEC-222)', async () => {
    const { cookie } = await signedIn();
    const asked = await browserGet(`${server.url}/end-session`, cookie);
    assert.equal(asked.status, 200);
    assert.match(await asked.text(), /Log out of Gatehouse\?/);
    assert.equal(await stillSignedIn(cookie), true, 'a link alone ends nothing');
    const confirmed = await fetch(`${server.url}/end-session/confirm`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: server.url, 'sec-fetch-site': 'same-origin' }, body: '', redirect: 'manual' });
    assert.equal(confirmed.status, 200);
    assert.match(await confirmed.text(), /You are logged out/);
    assert.equal(await promptNoneError(config, redirectUri, cookie), 'login_required');
  });

  it('oidcc-rp-initiated-logout-no-post-logout-redirect-uri: logged out at once, shown the logged-out page', async () => {
    const { cookie, idToken } = await signedIn();
    const response = await endSession(cookie, { id_token_hint: idToken });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('location'), null);
    assert.match(await response.text(), /You are logged out/);
    assert.equal(await promptNoneError(config, redirectUri, cookie), 'login_required');
  });

  it('oidcc-rp-initiated-logout-no-state: back to the registered URI with no state', async () => {
    const { cookie, idToken } = await signedIn();
    const response = await endSession(cookie, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), postLogoutRedirectUri);
    assert.equal(await stillSignedIn(cookie), false);
  });

  it('oidcc-rp-initiated-logout-only-state: state alone asks to confirm, then logs out without a redirect', async () => {
    const { cookie } = await signedIn();
    const asked = await browserGet(`${server.url}/end-session?state=only-state`, cookie);
    assert.equal(asked.status, 200);
    assert.equal(asked.headers.get('location'), null);
    const confirmed = await fetch(`${server.url}/end-session/confirm`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', origin: server.url, 'sec-fetch-site': 'same-origin' }, body: 'state=only-state', redirect: 'manual' });
    assert.equal(confirmed.status, 200);
    assert.equal(confirmed.headers.get('location'), null);
    assert.equal(await stillSignedIn(cookie), false);
  });

  it('oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri: the registered URI with ?foo=bar added is refused (SEC-220)', async () => {
    const { cookie, idToken } = await signedIn();
    const response = await endSession(cookie, { id_token_hint: idToken, post_logout_redirect_uri: `${postLogoutRedirectUri}?foo=bar`, state: 's' });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    assert.equal(await stillSignedIn(cookie), true);
  });
});
