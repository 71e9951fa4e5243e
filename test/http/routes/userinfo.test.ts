// The UserInfo endpoint with sender-constrained tokens (RFC 9449 §7.1): openid-client as the
// relying party over real HTTP, a DPoP-bound access token from the code flow, and the attacks on
// it. docs/security.md SEC-249.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { redirected } from '../../support/op-browser.ts';
import { dpopKey, dpopProof } from '../../support/dpop.ts';
import { authorizationRequest, startOpFixture, type OpFixture } from '../../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('/oauth2/userinfo with DPoP-bound access tokens', () => {
  let op: OpFixture;
  let userinfoUrl: string;
  let bound: { accessToken: string; sub: string; DPoP: client.DPoPHandle };
  let plain: string;

  before(async () => {
    op = await startOpFixture();
    const { config } = await op.rp({ id: 'spa', name: 'SPA', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
    userinfoUrl = String(config.serverMetadata().userinfo_endpoint);
    const { credentials, browser } = await op.user('bound@example.com');
    const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const request = await authorizationRequest(config, cb);
    const back = redirected(await browser.authorize(request.url, { credentials }));
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }, undefined, { DPoP });
    assert.equal(tokens.token_type, 'dpop');
    bound = { accessToken: tokens.access_token, sub: tokens.claims()!.sub, DPoP };

    const second = await authorizationRequest(config, cb);
    const again = redirected(await browser.authorize(second.url, {}));
    plain = (await client.authorizationCodeGrant(config, again, { pkceCodeVerifier: second.verifier, expectedState: second.state, expectedNonce: second.nonce })).access_token;
  });
  after(() => op?.close());

  const call = (headers: Record<string, string>) => fetch(userinfoUrl, { headers });

  it('openid-client fetches the claims with the bound token and a proof by its key', async () => {
    assert.ok((decodeJwt(bound.accessToken).cnf as { jkt?: string } | undefined)?.jkt, 'the code grant bound the token');
    const config = await client.discovery(new URL(op.server.url), 'spa', undefined, client.None(), { execute: [client.allowInsecureRequests] });
    const info = await client.fetchUserInfo(config, bound.accessToken, bound.sub, { DPoP: bound.DPoP });
    assert.equal(info.email, 'bound@example.com');
  });

  it('a stolen bound token is refused without its key: as Bearer, without a proof, with another key, with a proof for another token, or a replayed proof (SEC-249)', async () => {
    const asBearer = await call({ authorization: `Bearer ${bound.accessToken}` });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /error="invalid_token"/);

    const noProof = await call({ authorization: `DPoP ${bound.accessToken}` });
    assert.equal(noProof.status, 401);
    assert.match(noProof.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_dpop_proof"/);

    const thief = await dpopKey();
    const otherKey = await call({ authorization: `DPoP ${bound.accessToken}`, dpop: await dpopProof(thief, { htm: 'GET', htu: userinfoUrl, accessToken: bound.accessToken }) });
    assert.equal(otherKey.status, 401);
    assert.match(otherKey.headers.get('www-authenticate') ?? '', /invalid_dpop_proof/);

    const wrongAth = await call({ authorization: `DPoP ${bound.accessToken}`, dpop: await dpopProof(thief, { htm: 'GET', htu: userinfoUrl, accessToken: plain }) });
    assert.equal(wrongAth.status, 401);

    const wrongMethod = await call({ authorization: `DPoP ${bound.accessToken}`, dpop: await dpopProof(thief, { htm: 'POST', htu: userinfoUrl, accessToken: bound.accessToken }) });
    assert.equal(wrongMethod.status, 401);
  });

  it('a proof is single use at userinfo too, and an unbound token is not accepted under the DPoP scheme', async () => {
    // The holder's own proof, captured and sent again.
    let captured = '';
    const config = await client.discovery(new URL(op.server.url), 'spa', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    config[client.customFetch] = (url, options) => {
      captured = new Headers(options.headers).get('dpop') ?? '';
      return fetch(url, options);
    };
    await client.fetchUserInfo(config, bound.accessToken, bound.sub, { DPoP: bound.DPoP });
    assert.ok(captured, 'openid-client sent a proof');
    const replay = await call({ authorization: `DPoP ${bound.accessToken}`, dpop: captured });
    assert.equal(replay.status, 401);
    assert.match(replay.headers.get('www-authenticate') ?? '', /invalid_dpop_proof/);

    const key = await dpopKey();
    const unboundAsDpop = await call({ authorization: `DPoP ${plain}`, dpop: await dpopProof(key, { htm: 'GET', htu: userinfoUrl, accessToken: plain }) });
    assert.equal(unboundAsDpop.status, 401);
    const unboundAsBearer = await call({ authorization: `Bearer ${plain}` });
    assert.equal(unboundAsBearer.status, 200);
  });
});
