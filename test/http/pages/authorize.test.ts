// The OpenID Provider end to end: openid-client as the relying party, real HTTP against a real
// Gatehouse (SQLite), a scripted browser for the login and consent pages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { finishPasskeyLogin, startPasskeyLogin } from '../../../src/core/passkeys/passkey-login.ts';
import { startSession } from '../../../src/core/sessions/start-session.ts';
import { sessionCookieName } from '../../../src/http/session-cookie.ts';
import { redirected } from '../../support/op-browser.ts';
import { registerSoftPasskey } from '../../support/passkeys.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
import { authorizationRequest, startOpFixture, type OpFixture } from '../../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('authorization endpoint with openid-client as the relying party', () => {
  let op: OpFixture;
  before(async () => {
    op = await startOpFixture();
  });
  after(() => op?.close());

  it('code flow: login, consent, code, tokens; the ID token has every claim; userinfo and refresh work (SEC-201, SEC-204)', async () => {
    const { config } = await op.rp({ id: 'notes', name: 'Notes', type: 'confidential', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [cb] });
    const { credentials, browser } = await op.user('ada@example.com');
    const request = await authorizationRequest(config, cb, { scope: 'openid email offline_access' });
    const stop = await browser.authorize(request.url, { credentials, consent: 'allow' });
    const back = redirected(stop);
    assert.equal(back.searchParams.get('iss'), op.server.url, 'RFC 9207 iss');
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true });
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, op.server.url);
    assert.equal(claims.aud, 'notes');
    assert.equal(claims['azp'], 'notes');
    assert.equal(claims.nonce, request.nonce);
    assert.equal(typeof claims['sid'], 'string');
    assert.equal(typeof claims.auth_time, 'number');
    assert.deepEqual(claims['amr'], ['pwd']);
    assert.equal(claims['acr'], 'urn:gatehouse:loa:1');
    assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'RS256', 'RS256 by default');
    const access = decodeJwt(tokens.access_token);
    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    assert.equal(access['sid'], claims['sid'], 'the access token carries the same session');
    assert.equal(access.scope, 'openid email offline_access');

    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, 'ada@example.com');
    assert.equal(info.email_verified, false);
    assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
    assert.equal(decodeJwt(refreshed.access_token)['sid'], claims['sid']);
    const listed = await op.server.gatehouse.store.sessionClients.listClientsForSession(String(claims['sid']));
    assert.deepEqual(listed.map((entry) => entry.clientId), ['notes'], 'the session records the app for back-channel logout');
  });

  it('single sign-on: a second app gets in without a password; consent is remembered and asked again only for a new scope', async () => {
    const first = await op.rp({ id: 'first', name: 'First', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb] });
    const second = await op.rp({ id: 'second', name: 'Second', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb] });
    const { credentials, browser } = await op.user('sso@example.com');
    redirected(await browser.authorize((await authorizationRequest(first.config, cb)).url, { credentials, consent: 'allow' }));
    // No credentials given from here on: a login page would stop the browser.
    const consentPage = await browser.authorize((await authorizationRequest(second.config, cb)).url, { consent: 'stop' });
    assert.equal(consentPage.kind, 'page');
    assert.match(consentPage.kind === 'page' ? consentPage.html : '', /Allow Second to use your Gatehouse account/);
    const request = await authorizationRequest(second.config, cb);
    const back = redirected(await browser.authorize(request.url, { consent: 'allow' }));
    const tokens = await client.authorizationCodeGrant(second.config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    assert.equal(tokens.claims()?.aud, 'second');
    // Remembered: the same scopes again need no page at all.
    redirected(await browser.authorize((await authorizationRequest(second.config, cb)).url, { consent: 'stop' }));
    const wider = await browser.authorize((await authorizationRequest(second.config, cb, { scope: 'openid email profile' })).url, { consent: 'stop' });
    assert.equal(wider.kind, 'page', 'a new scope asks again');
    assert.match(wider.kind === 'page' ? wider.html : '', /See your name, picture and language/);
  });

  it('a first-party app registered with skipConsent never shows the consent page; deny answers access_denied', async () => {
    const own = await op.rp({ id: 'own', name: 'Own', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
    const other = await op.rp({ id: 'other', name: 'Other', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb] });
    const { credentials, browser } = await op.user('first-party@example.com');
    redirected(await browser.authorize((await authorizationRequest(own.config, cb)).url, { credentials, consent: 'stop' }));
    const request = await authorizationRequest(other.config, cb);
    const denied = redirected(await browser.authorize(request.url, { consent: 'deny' }));
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('state'), request.state);
    assert.equal(denied.searchParams.get('iss'), op.server.url);
  });

  it('response_mode=form_post: a page that posts code, state and iss to the redirect URI, with a strict CSP and a same-origin script (SEC-206)', async () => {
    const { config } = await op.rp({ id: 'poster', name: 'Poster', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
    const { credentials, browser } = await op.user('form-post@example.com');
    const request = await authorizationRequest(config, cb, { response_mode: 'form_post' });
    const stop = await browser.authorize(request.url, { credentials });
    assert.equal(stop.kind, 'form_post');
    if (stop.kind !== 'form_post') return;
    assert.equal(stop.action, cb);
    assert.deepEqual(Object.keys(stop.fields).sort(), ['code', 'iss', 'state']);
    assert.match(stop.csp ?? '', /script-src 'self'/);
    assert.match(stop.csp ?? '', /form-action http:\/\/127\.0\.0\.1:9[;$ ]/);
    assert.match(stop.csp ?? '', /frame-ancestors 'none'/);
    assert.doesNotMatch(stop.html, /<script>/, 'no inline script');
    const posted = new Request(cb, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(stop.fields) });
    const tokens = await client.authorizationCodeGrant(config, posted, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    assert.ok(tokens.id_token);
  });

  it('after a passkey login, the ID token and the access token say so: amr hwk, user and mfa; acr loa 2 (RFC 8176, docs/security.md SEC-180)', async () => {
    const { config } = await op.rp({ id: 'passkey-rp', name: 'Passkey RP', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb] });
    const core = op.server.gatehouse.deps;
    const { browser } = await op.user('passkey-oidc@example.com');
    const user = await core.store.users.findByEmail('passkey-oidc@example.com');
    assert.ok(user);
    // A passkey registered and used through the core, as the pages do; the browser then holds its session.
    const signedIn = await core.store.transaction((tx) => startSession(core, tx, user.id, { ip: '127.0.0.1', userAgent: 'test' }, { amr: ['pwd'] }));
    const authenticator = createSoftAuthenticator({ origin: op.server.url });
    await registerSoftPasskey(core, { user, session: signedIn.session }, authenticator);
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    const login = await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, { ip: '127.0.0.1', userAgent: 'test' });
    browser.cookies.set(sessionCookieName, login.token);

    const request = await authorizationRequest(config, cb);
    const back = redirected(await browser.authorize(request.url, { consent: 'allow' }));
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, idTokenExpected: true });
    const claims = tokens.claims();
    assert.deepEqual(claims?.['amr'], ['hwk', 'mfa', 'user']);
    assert.equal(claims?.['acr'], 'urn:gatehouse:loa:2');
    assert.deepEqual(decodeJwt(tokens.access_token)['amr'], ['hwk', 'mfa', 'user']);
  });

  it('a client registered for ES256 or EdDSA ID tokens gets them, verified by openid-client against the one JWKS', async () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const { config } = await op.rp({ id: `alg-${alg}`, name: alg, type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true, idTokenSignedResponseAlg: alg });
      const { credentials, browser } = await op.user(`alg-${alg.toLowerCase()}@example.com`);
      const request = await authorizationRequest(config, cb);
      const back = redirected(await browser.authorize(request.url, { credentials }));
      const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      assert.equal(decodeProtectedHeader(tokens.id_token!).alg, alg);
    }
  });
});
