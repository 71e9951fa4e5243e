// ID tokens on the refresh grant (OIDC Core 12.2), with openid-client as the relying party against
// a real server: openid-client's refreshTokenGrant() validates the new ID token (signature, iss,
// aud, azp, exp, iat); the claims it must share with the original are compared here.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { redirected, type Credentials, type OpBrowser } from '../../support/op-browser.ts';
import { authorizationRequest, startOpFixture, type OpFixture } from '../../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('POST /v1/token grant_type=refresh_token: an ID token for OpenID families', () => {
  let op: OpFixture;
  let rp: client.Configuration;
  let spa: client.Configuration;
  let credentials: Credentials;
  let browser: OpBrowser;

  before(async () => {
    op = await startOpFixture();
    const common = { grantTypes: ['authorization_code' as const, 'refresh_token' as const], redirectUris: [cb], skipConsent: true };
    rp = (await op.rp({ ...common, id: 'web', name: 'Web app', type: 'confidential' })).config;
    spa = (await op.rp({ ...common, id: 'spa', name: 'SPA', type: 'public', idTokenSignedResponseAlg: 'ES256' })).config;
    ({ credentials, browser } = await op.user('refresh-id@example.com'));
  });
  after(() => op?.close());

  async function flow(config: client.Configuration, extra: Record<string, string> = {}) {
    const request = await authorizationRequest(config, cb, { scope: 'openid email offline_access', ...extra });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const openId = (extra['scope'] ?? 'openid').split(' ').includes('openid');
    return client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, ...(openId ? { expectedNonce: request.nonce } : {}) });
  }

  for (const [name, config] of [['a confidential client (RS256)', () => rp], ['a public client (ES256)', () => spa]] as const) {
    it(`${name}: the refreshed ID token has the same sub, aud, azp, sid, auth_time, acr and amr, a new iat, and no nonce`, async () => {
      const first = await flow(config());
      const original = first.claims()!;
      assert.ok(original.nonce, 'the code flow ID token carries the nonce');
      op.clock.advance(2000);
      const refreshed = await client.refreshTokenGrant(config(), first.refresh_token!);
      const claims = refreshed.claims() ?? assert.fail('an ID token comes with the refresh');
      for (const claim of ['iss', 'sub', 'aud', 'azp', 'sid', 'auth_time', 'acr', 'amr'] as const) assert.deepEqual(claims[claim], original[claim], claim);
      assert.equal(claims.nonce, undefined, 'no nonce: it belonged to the authorization request');
      assert.ok(claims.iat > original.iat, 'iat is when the new ID token was issued');
      assert.notEqual(claims.jti, original.jti);
      // The rotation goes on: the successor's refresh answers one too.
      const again = await client.refreshTokenGrant(config(), refreshed.refresh_token!);
      assert.equal(again.claims()?.auth_time, original.auth_time);
    });
  }

  it("auth_time stays the original authentication's after the session re-authenticates (prompt=login elsewhere)", async () => {
    const first = await flow(rp);
    const original = first.claims()!;
    op.clock.advance(3000);
    const relogged = (await flow(rp, { prompt: 'login' })).claims()!;
    assert.ok(relogged.auth_time! > original.auth_time!, 'the session authenticated again');
    assert.equal(relogged.sid, original.sid, 'in the same session');
    const refreshed = await client.refreshTokenGrant(rp, first.refresh_token!);
    assert.equal(refreshed.claims()?.auth_time, original.auth_time);
  });

  it('a family without openid refreshes without an ID token', async () => {
    const first = await flow(rp, { scope: 'email offline_access' });
    assert.equal(first.id_token, undefined);
    const refreshed = await client.refreshTokenGrant(rp, first.refresh_token!);
    assert.ok(refreshed.access_token);
    assert.equal(refreshed.id_token, undefined);
  });
});
