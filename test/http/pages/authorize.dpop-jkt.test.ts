// RFC 9449 §10: the dpop_jkt authorization request parameter, and a DPoP proof sent with a pushed
// request, bind the authorization code to a DPoP key; openid-client as the relying party against a
// real server. docs/security.md SEC-211.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, decodeJwt, exportJWK } from 'jose';
import * as client from 'openid-client';
import { redirected, type Credentials, type OpBrowser } from '../../support/op-browser.ts';
import { authorizationRequest, startOpFixture, type OpFixture } from '../../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('dpop_jkt: an authorization code bound to a DPoP key (RFC 9449 §10)', () => {
  let op: OpFixture;
  let spa: client.Configuration;
  let credentials: Credentials;
  let browser: OpBrowser;

  before(async () => {
    op = await startOpFixture();
    spa = (await op.rp({ id: 'dpop-spa', name: 'DPoP SPA', type: 'public', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [cb], skipConsent: true })).config;
    ({ credentials, browser } = await op.user('dpop-jkt@example.com'));
  });
  after(() => op?.close());

  const keyAndThumbprint = async () => {
    const keyPair = await client.randomDPoPKeyPair('ES256');
    return { keyPair, jkt: await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256') };
  };
  const refusal = async (attempt: Promise<unknown>): Promise<string | undefined> => {
    const error = await attempt.then(() => assert.fail('accepted'), (e: unknown) => e);
    return (error as { error?: string }).error;
  };

  it('a code requested with dpop_jkt is redeemed with a proof by that key; tokens are bound to it', async () => {
    const { keyPair, jkt } = await keyAndThumbprint();
    const request = await authorizationRequest(spa, cb, { dpop_jkt: jkt, scope: 'openid offline_access' });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const DPoP = client.getDPoPHandle(spa, keyPair);
    const tokens = await client.authorizationCodeGrant(spa, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }, undefined, { DPoP });
    assert.equal(tokens.token_type, 'dpop');
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
    assert.ok((await client.refreshTokenGrant(spa, tokens.refresh_token!, undefined, { DPoP })).access_token);
  });

  it('a stolen bound code is refused without a proof or with another key, and is not spent (SEC-211)', async () => {
    const { keyPair, jkt } = await keyAndThumbprint();
    const request = await authorizationRequest(spa, cb, { dpop_jkt: jkt });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const checks = { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce };
    assert.equal(await refusal(client.authorizationCodeGrant(spa, back, checks)), 'invalid_dpop_proof');
    const thief = client.getDPoPHandle(spa, (await keyAndThumbprint()).keyPair);
    assert.equal(await refusal(client.authorizationCodeGrant(spa, back, checks, undefined, { DPoP: thief })), 'invalid_grant');
    const tokens = await client.authorizationCodeGrant(spa, back, checks, undefined, { DPoP: client.getDPoPHandle(spa, keyPair) });
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
  });

  it('a malformed dpop_jkt is invalid_request at the redirect URI', async () => {
    const request = await authorizationRequest(spa, cb, { dpop_jkt: 'not-a-thumbprint' });
    const back = redirected(await browser.authorize(request.url, { credentials }));
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), request.state);
  });

  it('a pushed request with a DPoP proof binds the code to its key; a dpop_jkt naming another key is refused at the push (SEC-211)', async () => {
    const { keyPair } = await keyAndThumbprint();
    const DPoP = client.getDPoPHandle(spa, keyPair);
    const verifier = client.randomPKCECodeVerifier();
    const parameters = { redirect_uri: cb, scope: 'openid', nonce: client.randomNonce(), code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' };
    const url = await client.buildAuthorizationUrlWithPAR(spa, parameters, { DPoP });
    const back = redirected(await browser.authorize(url, { credentials }));
    const checks = { pkceCodeVerifier: verifier, expectedNonce: parameters.nonce };
    assert.equal(await refusal(client.authorizationCodeGrant(spa, back, checks)), 'invalid_dpop_proof');
    assert.ok((await client.authorizationCodeGrant(spa, back, checks, undefined, { DPoP })).access_token);

    const other = await keyAndThumbprint();
    assert.equal(await refusal(client.buildAuthorizationUrlWithPAR(spa, { ...parameters, dpop_jkt: other.jkt }, { DPoP: client.getDPoPHandle(spa, keyPair) })), 'invalid_dpop_proof');
  });
});
