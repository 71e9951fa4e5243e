// A port of the OpenID Foundation's Config OP certification plan: discovery and keys. One test
// per module, named after it; loopback only, openid-client as the relying party.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import * as client from 'openid-client';
import { redirected, type Credentials, type OpBrowser } from '../support/op-browser.ts';
import { authorizationRequest, execute, startOpFixture, type OpFixture } from '../support/openid-provider.ts';

const cb = 'http://127.0.0.1:9/cb';

describe('OpenID Config OP plan, ported', () => {
  let op: OpFixture;
  let credentials: Credentials;
  let browser: OpBrowser;
  before(async () => {
    op = await startOpFixture();
    await op.rp({ id: 'config', name: 'Config RP', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
    ({ credentials, browser } = await op.user('config@example.com'));
  });
  after(() => op?.close());

  const json = async (path: string): Promise<Record<string, unknown>> => (await (await fetch(`${op.server.url}${path}`)).json()) as Record<string, unknown>;
  const discover = (): Promise<client.Configuration> => client.discovery(new URL(op.server.url), 'config', undefined, client.None(), { execute });

  it('oidcc-discovery-endpoint-verification: every required field, endpoints that answer, consistent with the RFC 8414 document', async () => {
    const configuration = await json('/.well-known/openid-configuration');
    for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported']) {
      assert.ok(field in configuration, field);
    }
    assert.deepEqual(configuration.response_types_supported, ['code']);
    assert.ok((configuration.scopes_supported as string[]).includes('openid'));
    assert.equal((configuration.id_token_signing_alg_values_supported as string[])[0], 'RS256', 'RS256 is supported, and the default');
    assert.ok((configuration.grant_types_supported as string[]).includes('authorization_code'));
    assert.deepEqual(configuration.response_modes_supported, ['query', 'form_post']);
    assert.equal(configuration.request_parameter_supported, false);
    const oauth = await json('/.well-known/oauth-authorization-server');
    for (const [field, value] of Object.entries(oauth)) if (field !== 'scopes_supported') assert.deepEqual(configuration[field], value, `${field} agrees with RFC 8414`);
    for (const field of ['authorization_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      const response = await fetch(String(configuration[field]), { redirect: 'manual' });
      assert.notEqual(response.status, 404, field);
      await response.body?.cancel();
    }
  });

  it('oidcc-discovery-issuer-not-matching-config: the issuer is exactly the URL the document was fetched under', async () => {
    assert.equal((await json('/.well-known/openid-configuration')).issuer, op.server.url);
    assert.equal((await discover()).serverMetadata().issuer, op.server.url, 'openid-client refuses a mismatch');
  });

  it('oidcc-idtoken-rs256: the ID token is RS256 and verifies with the published JWKS', async () => {
    const { config } = await op.rp({ id: 'config-rs', name: 'Config RS', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
    const request2 = await authorizationRequest(config, cb);
    const back2 = redirected(await browser.authorize(request2.url, { credentials }));
    const good = await client.authorizationCodeGrant(config, back2, { pkceCodeVerifier: request2.verifier, expectedState: request2.state, expectedNonce: request2.nonce });
    assert.equal(decodeProtectedHeader(good.id_token!).alg, 'RS256');
    const jwks = (await json('/.well-known/jwks.json')) as { keys: JWK[] };
    await jwtVerify(good.id_token!, createLocalJWKSet(jwks), { algorithms: ['RS256'], issuer: op.server.url, audience: 'config-rs', currentDate: new Date(op.clock.nowMs()) });
  });

  it('oidcc-server-rotate-keys: after a rotation the new key is published before it signs, then ID tokens use it and still verify', async () => {
    const { config } = await op.rp({ id: 'rotating', name: 'Rotating', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
    const signIn = async (rp: client.Configuration) => {
      const request = await authorizationRequest(rp, cb);
      const back = redirected(await browser.authorize(request.url, { credentials }));
      return (await client.authorizationCodeGrant(rp, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce })).id_token!;
    };
    const oldKid = decodeProtectedHeader(await signIn(config)).kid;
    const [rotated] = await op.server.gatehouse.tokens.idTokenKeys.rotate();
    assert.ok(rotated);
    const published = ((await json('/.well-known/jwks.json')) as { keys: JWK[] }).keys.map((key) => key.kid);
    assert.ok(published.includes(rotated.kid) && published.includes(oldKid), 'both keys are published at once');
    assert.equal(decodeProtectedHeader(await signIn(config)).kid, oldKid, 'the old key signs until the new one has been published long enough');
    op.clock.advance(op.server.config.token.keyPublishAheadSeconds * 1000);
    const fresh = await client.discovery(new URL(op.server.url), 'rotating', { id_token_signed_response_alg: 'RS256' }, client.None(), { execute });
    assert.equal(decodeProtectedHeader(await signIn(fresh)).kid, rotated.kid, 'then the new key signs, and openid-client verifies it');
  });
});
