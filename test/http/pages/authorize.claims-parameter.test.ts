// The `claims` request parameter (OIDC Core 5.5) at the authorization endpoint, with openid-client
// as the relying party against a real server: docs/security.md SEC-209.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { OpBrowser, redirected, type Credentials } from '../../support/op-browser.ts';
import { authorizationRequest, startOpFixture, type OpFixture } from '../../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('GET /oauth2/authorize with claims (OIDC Core 5.5)', () => {
  let op: OpFixture;
  let rp: client.Configuration;
  let credentials: Credentials;
  let browser: OpBrowser;

  before(async () => {
    op = await startOpFixture();
    rp = (await op.rp({ id: 'claims-rp', name: 'Claims RP', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true })).config;
    ({ credentials, browser } = await op.user('claims@example.com'));
    const userId = (await op.server.gatehouse.store.users.findByEmail('claims@example.com'))!.id;
    await op.server.gatehouse.store.profiles.put({ userId, name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', picture: null, locale: 'en-GB', updatedAtMs: op.clock.nowMs() });
  });
  after(() => op?.close());

  async function flow(scope: string, claims: unknown, config = rp) {
    const request = await authorizationRequest(config, cb, { scope, claims: JSON.stringify(claims) });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    const idToken = tokens.claims()!;
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, idToken.sub);
    return { idToken, userinfo };
  }

  it('discovery advertises claims_parameter_supported', () => {
    assert.equal(rp.serverMetadata().claims_parameter_supported, true);
  });

  it('claims asked for in the ID token, essential or voluntary, come in it when the scopes cover them; the others stay out', async () => {
    const { idToken, userinfo } = await flow('openid email profile', { id_token: { email: { essential: true }, name: null, picture: { essential: true } }, userinfo: { email: null } });
    assert.equal(idToken.email, 'claims@example.com');
    assert.equal(idToken.name, 'Ada Lovelace');
    assert.equal(idToken.picture, undefined, 'the user has no picture: left out, no error, even when essential');
    assert.equal(idToken.given_name, undefined, 'not asked for in the ID token');
    assert.equal(idToken.email_verified, undefined, 'not asked for in the ID token');
    assert.equal(userinfo.email, 'claims@example.com');
    assert.equal(userinfo.given_name, 'Ada', 'UserInfo answers what the scopes grant');
  });

  it('a claim the granted scopes do not cover is released nowhere, however it is asked for (SEC-209)', async () => {
    const { idToken, userinfo } = await flow('openid', { id_token: { email: { essential: true }, name: { essential: true } }, userinfo: { email: { essential: true }, locale: null } });
    for (const claim of ['email', 'email_verified', 'name', 'locale']) {
      assert.equal(idToken[claim], undefined, `id_token ${claim}`);
      assert.equal(userinfo[claim], undefined, `userinfo ${claim}`);
    }
  });

  it('a request claim cannot replace a protocol claim of the ID token', async () => {
    const { idToken } = await flow('openid email', { id_token: { sub: null, iss: null, aud: null, nonce: null, email: null } });
    assert.equal(idToken.iss, op.server.url);
    assert.equal(idToken.email, 'claims@example.com');
  });

  async function refusedWith(claims: unknown): Promise<URL> {
    const request = await authorizationRequest(rp, cb, { claims: JSON.stringify(claims) });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    assert.equal(back.searchParams.get('code'), null, 'no code');
    assert.equal(back.searchParams.get('state'), request.state);
    assert.equal(back.searchParams.get('iss'), op.server.url);
    return back;
  }

  it('sub asked with a value is answered for that user only: another user is login_required, never a token for the one logged in (SEC-212)', async () => {
    const userId = (await op.server.gatehouse.store.users.findByEmail('claims@example.com'))!.id;
    for (const member of ['id_token', 'userinfo']) {
      assert.equal((await refusedWith({ [member]: { sub: { value: 'someone-else', essential: true } } })).searchParams.get('error'), 'login_required', member);
    }
    const { idToken } = await flow('openid email', { id_token: { sub: { value: userId } } });
    assert.equal(idToken.sub, userId, 'the named user, logged in, gets in');
  });

  it('an essential acr the login did not reach is access_denied; one it reached, or a voluntary one, is issued with the acr reached (SEC-213)', async () => {
    const back = await refusedWith({ id_token: { acr: { essential: true, values: ['urn:gatehouse:loa:2'] } } });
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.match(back.searchParams.get('error_description') ?? '', /urn:gatehouse:loa:2/);
    assert.equal((await flow('openid', { id_token: { acr: { essential: true, values: ['urn:gatehouse:loa:1', 'urn:gatehouse:loa:2'] } } })).idToken.acr, 'urn:gatehouse:loa:1');
    assert.equal((await flow('openid', { id_token: { acr: { values: ['urn:gatehouse:loa:2'] } } })).idToken.acr, 'urn:gatehouse:loa:1', 'voluntary: the acr reached is reported');
  });

  it('a consent page shown to one user and posted after another signed in, in the same browser: checked again for who posts (claims sub, essential acr), no code for the other (SEC-219)', async () => {
    const asking = (await op.rp({ id: 'claims-consent-rp', name: 'Consent RP', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb] })).config;
    const ada = await op.user('consent-ada@example.com');
    const bob = await op.user('consent-bob@example.com');
    const adaId = (await op.server.gatehouse.store.users.findByEmail('consent-ada@example.com'))!.id;
    const sessionOf = (b: OpBrowser): string => (b.cookies.get('__Host-gatehouse_session') ?? '').split('.')[0] ?? '';
    const cases: [string, unknown, string][] = [
      ['sub', { id_token: { sub: { value: adaId } } }, 'login_required'],
      ['acr', { id_token: { acr: { essential: true, values: ['urn:gatehouse:loa:2'] } } }, 'access_denied'],
    ];
    for (const [what, claims, error] of cases) {
      await ada.browser.logIn(ada.credentials);
      // Ada's session used a second factor (what a TOTP login records), so the acr case shows the page too.
      await op.server.gatehouse.store.sessions.recordAuthentication(sessionOf(ada.browser), op.clock.nowMs(), ['mfa', 'otp', 'pwd']);
      const request = await authorizationRequest(asking, cb, { scope: 'openid email', claims: JSON.stringify(claims) });
      const page = await ada.browser.authorize(request.url, { consent: 'stop' });
      assert.equal(page.kind, 'page', what);
      const requestId = /name="request" value="([^"]*)"/.exec(page.kind === 'page' ? page.html : '')?.[1] ?? assert.fail(`${what}: the consent page`);
      // Bob signs in in the same browser (a shared computer), then the consent form is posted.
      await ada.browser.logIn(bob.credentials);
      const posted = await ada.browser.post('/oauth2/authorize/consent', { request: requestId, decision: 'allow' });
      assert.equal(posted.status, 303, what);
      const back = new URL(posted.headers.get('location') ?? '', op.server.url);
      assert.equal(back.searchParams.get('error'), error, what);
      assert.equal(back.searchParams.get('code'), null, `${what}: no code for Bob`);
    }
  });

  it('malformed claims: invalid_request back at the redirect URI, with state and iss; no code', async () => {
    for (const claims of ['{"id_token":', '["email"]', '{"userinfo":{"email":"yes"}}', '{"id_token":{"email":{"essential":1}}}']) {
      const request = await authorizationRequest(rp, cb, { claims });
      const back = redirected(await browser.authorize(request.url, { credentials }));
      assert.equal(back.searchParams.get('error'), 'invalid_request', claims);
      assert.equal(back.searchParams.get('state'), request.state);
      assert.equal(back.searchParams.get('iss'), op.server.url);
      assert.equal(back.searchParams.get('code'), null);
    }
  });

  it('malformed claims with an unregistered redirect_uri: an error page, no redirect', async () => {
    const request = await authorizationRequest(rp, 'http://127.0.0.1:9/elsewhere', { claims: '{' });
    const stop = await new OpBrowser(op.server.url).authorize(request.url, { credentials });
    assert.equal(stop.kind, 'page');
    if (stop.kind === 'page') assert.match(stop.html, /data-reason="unregistered_redirect_uri"/);
  });

  it('claims in a pushed authorization request work the same', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(rp, { redirect_uri: cb, scope: 'openid email', nonce, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', claims: JSON.stringify({ id_token: { email: null } }) });
    const back = redirected(await browser.authorize(url, { credentials }));
    const tokens = await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: verifier, expectedNonce: nonce });
    assert.equal(tokens.claims()?.email, 'claims@example.com');
  });
});
