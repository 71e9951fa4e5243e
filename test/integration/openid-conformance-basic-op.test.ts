// A port of the OpenID Foundation's Basic OP certification plan (oidcc-basic-certification-test-plan):
// one test per module, named after it, checking what the module checks. The suite itself needs the
// internet; these run on loopback with openid-client as the relying party against a real Gatehouse.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { OpBrowser, redirected, type Credentials } from '../support/op-browser.ts';
import { authorizationRequest, startOpFixture, type OpFixture } from '../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('OpenID Basic OP plan, ported', () => {
  let op: OpFixture;
  let rp: client.Configuration;
  let credentials: Credentials;
  let browser: OpBrowser;
  let userId: string;

  before(async () => {
    op = await startOpFixture();
    rp = (await op.rp({ id: 'basic', name: 'Basic RP', type: 'confidential', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [cb], skipConsent: true })).config;
    ({ credentials, browser } = await op.user('conformance@example.com'));
    userId = (await op.server.gatehouse.store.users.findByEmail('conformance@example.com'))!.id;
    await op.server.gatehouse.store.profiles.put({ userId, name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', picture: 'https://example.com/ada.png', locale: 'en-GB', updatedAtMs: op.clock.nowMs() });
  });
  after(() => op?.close());

  /** The whole code flow: authorization request, the browser, the token request, the ID token checks of openid-client. */
  async function flow(extra: Record<string, string> = {}, config = rp, who = browser) {
    const request = await authorizationRequest(config, cb, extra);
    const back = redirected(await who.authorize(request.url, { credentials }));
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true });
    return { tokens, claims: tokens.claims()!, back };
  }
  const userinfo = (init: RequestInit) => fetch(`${op.server.url}/oauth2/userinfo`, init);

  it('oidcc-server: the code flow completes and the ID token passes every check', async () => {
    const { claims } = await flow();
    assert.equal(claims.sub, userId);
    assert.equal(claims.iss, op.server.url);
    assert.equal(claims.aud, 'basic');
  });

  it('oidcc-response-type-missing: an error goes back to the client, with state and iss, and no code', async () => {
    const request = await authorizationRequest(rp, cb);
    request.url.searchParams.delete('response_type');
    const back = redirected(await browser.authorize(request.url, { credentials }));
    assert.ok(['invalid_request', 'unsupported_response_type'].includes(back.searchParams.get('error') ?? ''));
    assert.equal(back.searchParams.get('state'), request.state);
    assert.equal(back.searchParams.get('iss'), op.server.url);
    assert.equal(back.searchParams.get('code'), null);
  });

  it('oidcc-userinfo-get', async () => {
    const { tokens, claims } = await flow();
    const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    assert.equal(info.sub, userId);
  });

  it('oidcc-userinfo-post-header', async () => {
    const { tokens } = await flow();
    const response = await userinfo({ method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { sub: string }).sub, userId);
  });

  it('oidcc-userinfo-post-body', async () => {
    const { tokens } = await flow();
    const response = await userinfo({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: tokens.access_token }) });
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { sub: string }).sub, userId);
  });

  it('oidcc-ensure-request-without-nonce-succeeds-for-code-flow', async () => {
    const request = await authorizationRequest(rp, cb);
    request.url.searchParams.delete('nonce');
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const tokens = await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, idTokenExpected: true });
    assert.equal(tokens.claims()?.nonce, undefined);
  });

  it('oidcc-scope-profile', async () => {
    const { tokens, claims } = await flow({ scope: 'openid profile' });
    const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    assert.deepEqual([info.name, info.given_name, info.family_name, info.picture, info.locale], ['Ada Lovelace', 'Ada', 'Lovelace', 'https://example.com/ada.png', 'en-GB']);
    assert.equal(typeof info.updated_at, 'number');
    assert.equal(info.email, undefined, 'only the scopes granted');
  });

  it('oidcc-scope-email', async () => {
    const { tokens, claims } = await flow({ scope: 'openid email' });
    const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    assert.equal(info.email, 'conformance@example.com');
    assert.equal(typeof info.email_verified, 'boolean');
    assert.equal(info.name, undefined);
  });

  it('oidcc-scope-all', async () => {
    const { tokens, claims } = await flow({ scope: 'openid profile email address phone' });
    const info = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    assert.equal(info.email, 'conformance@example.com');
    assert.equal(info.name, 'Ada Lovelace');
    assert.equal(decodeJwt(tokens.access_token).scope, 'openid profile email', 'scopes Gatehouse does not have are dropped, not refused');
  });

  it('oidcc-ensure-other-scope-order-succeeds', async () => {
    const { tokens, claims } = await flow({ scope: 'email openid' });
    assert.equal((await client.fetchUserInfo(rp, tokens.access_token, claims.sub)).email, 'conformance@example.com');
  });

  it('oidcc-display-page and oidcc-display-popup: display is accepted', async () => {
    await flow({ display: 'page' });
    await flow({ display: 'popup' });
  });

  it('oidcc-prompt-login: a logged-in user logs in again, and auth_time moves', async () => {
    const before = (await flow()).claims.auth_time!;
    op.clock.advance(2000);
    const after = (await flow({ prompt: 'login' })).claims.auth_time!;
    assert.ok(after > before, `${after} > ${before}`);
  });

  it('oidcc-prompt-none-logged-in', async () => {
    const { claims } = await flow({ prompt: 'none' });
    assert.equal(claims.sub, userId);
  });

  it('oidcc-prompt-none-not-logged-in: login_required, no page', async () => {
    const request = await authorizationRequest(rp, cb, { prompt: 'none' });
    const back = redirected(await new OpBrowser(op.server.url).authorize(request.url));
    assert.equal(back.searchParams.get('error'), 'login_required');
    assert.equal(back.searchParams.get('state'), request.state);
  });

  it('oidcc-max-age-1: a login older than a second means logging in again', async () => {
    const first = (await flow()).claims.auth_time!;
    op.clock.advance(2000);
    const { claims } = await flow({ max_age: '1' });
    assert.ok(claims.auth_time! > first);
  });

  it('oidcc-max-age-10000: a recent login is enough, and auth_time is reported', async () => {
    const request = await authorizationRequest(rp, cb, { max_age: '10000' });
    // No credentials: a login page would stop the browser.
    const back = redirected(await browser.authorize(request.url));
    const tokens = await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, maxAge: 10000 });
    assert.equal(typeof tokens.claims()?.auth_time, 'number');
  });

  it('oidcc-id-token-hint: prompt=none with the previous ID token as hint', async () => {
    const { tokens } = await flow();
    const { claims } = await flow({ prompt: 'none', id_token_hint: tokens.id_token! });
    assert.equal(claims.sub, userId);
  });

  it('oidcc-login-hint: the login page is filled in with the hint', async () => {
    const request = await authorizationRequest(rp, cb, { login_hint: 'conformance@example.com' });
    const fresh = new OpBrowser(op.server.url);
    const stop = await fresh.authorize(request.url);
    assert.equal(stop.kind, 'page');
    assert.match(stop.kind === 'page' ? stop.html : '', /name="email" type="email"[^>]*value="conformance@example.com"/);
    redirected(await fresh.authorize(request.url, { credentials }));
  });

  it('oidcc-ui-locales: accepted', async () => {
    await flow({ ui_locales: 'se' });
  });

  it('oidcc-claims-locales: accepted', async () => {
    await flow({ claims_locales: 'se' });
  });

  it('oidcc-ensure-request-with-unknown-parameter-succeeds', async () => {
    await flow({ extra_parameter_from_the_plan: 'value' });
  });

  it('oidcc-ensure-request-with-acr-values-succeeds: accepted, and the acr reached is reported', async () => {
    const { claims } = await flow({ acr_values: 'urn:gatehouse:loa:2 urn:gatehouse:loa:1' });
    assert.equal(claims['acr'], 'urn:gatehouse:loa:1');
  });

  it('oidcc-claims-essential: a claims request does not make the request fail; name, asked as essential, comes in UserInfo (and in the ID token when asked there)', async () => {
    await flow({ claims: JSON.stringify({ userinfo: { name: { essential: true } } }) });
    // The module warns when the essential claim is missing; here the profile scope covers it.
    const { tokens, claims } = await flow({ scope: 'openid profile', claims: JSON.stringify({ userinfo: { name: { essential: true } }, id_token: { name: { essential: true } } }) });
    assert.equal((await client.fetchUserInfo(rp, tokens.access_token, claims.sub)).name, 'Ada Lovelace');
    assert.equal(claims.name, 'Ada Lovelace');
  });

  it('oidcc-codereuse: a code works once', async () => {
    const request = await authorizationRequest(rp, cb);
    const back = redirected(await browser.authorize(request.url, { credentials }));
    await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    await assert.rejects(client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }), (error: { error?: string }) => error.error === 'invalid_grant');
  });

  it('oidcc-codereuse-30seconds: the second use, 30 s later, fails and revokes the first tokens', async () => {
    const request = await authorizationRequest(rp, cb, { scope: 'openid offline_access' });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const tokens = await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    op.clock.advance(30_000);
    await assert.rejects(client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }), (error: { error?: string }) => error.error === 'invalid_grant');
    assert.equal((await userinfo({ headers: { authorization: `Bearer ${tokens.access_token}` } })).status, 401, 'the access token is revoked');
    await assert.rejects(client.refreshTokenGrant(rp, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
  });

  it('oidcc-ensure-registered-redirect-uri: an unregistered redirect_uri gets an error page, not a redirect', async () => {
    const request = await authorizationRequest(rp, 'http://127.0.0.1:9/not-registered');
    const stop = await browser.authorize(request.url, { credentials });
    assert.equal(stop.kind, 'page');
    assert.equal(stop.kind === 'page' ? stop.status : 0, 400);
  });

  it('oidcc-server-client-secret-post', async () => {
    const posting = (await op.rp({ id: 'poster', name: 'Poster', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true, tokenEndpointAuthMethod: 'client_secret_post' })).config;
    const { claims } = await flow({}, posting);
    assert.equal(claims.aud, 'poster');
  });

  it('oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported: rejected as unsupported', async () => {
    const request = await authorizationRequest(rp, cb);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ client_id: 'basic', response_type: 'code', redirect_uri: cb, scope: 'openid' })).toString('base64url')}.`;
    request.url.searchParams.set('request', unsigned);
    const back = redirected(await browser.authorize(request.url, { credentials }));
    assert.equal(back.searchParams.get('error'), 'request_not_supported');
  });

  it('oidcc-ensure-request-with-valid-pkce-succeeds', async () => {
    const { tokens } = await flow();
    assert.ok(tokens.access_token);
  });

  it('PKCE required: a public client without PKCE is refused (issue 13; the plan has no module of its own for it)', async () => {
    const spa = (await op.rp({ id: 'spa', name: 'SPA', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true })).config;
    const url = client.buildAuthorizationUrl(spa, { redirect_uri: cb, scope: 'openid', state: 's', nonce: 'n' });
    assert.equal(redirected(await browser.authorize(url, { credentials })).searchParams.get('error'), 'invalid_request');
  });

  it('oidcc-refresh-token: offline_access gives a refresh token that rotates and whose access token works; its ID token keeps iss, sub, aud, azp and auth_time', async () => {
    const { tokens, claims } = await flow({ scope: 'openid email offline_access' });
    const refreshed = await client.refreshTokenGrant(rp, tokens.refresh_token!);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    // The module's checks on an ID token in the refresh response (OIDC Core 12.2), after openid-client validated it.
    const renewed = refreshed.claims() ?? assert.fail('an ID token on refresh');
    for (const claim of ['iss', 'sub', 'aud', 'azp', 'auth_time', 'sid'] as const) assert.deepEqual(renewed[claim], claims[claim], claim);
    assert.equal(renewed.nonce, undefined);
    assert.equal((await client.fetchUserInfo(rp, refreshed.access_token, claims.sub)).email, 'conformance@example.com');
    const { tokens: withoutOffline } = await flow({ scope: 'openid' });
    assert.equal(withoutOffline.refresh_token, undefined, 'no offline_access, no refresh token');
  });
});
