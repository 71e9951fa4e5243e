// client_credentials, private_key_jwt (RFC 7523) and the RFC 8707 resource parameter, with
// openid-client as the client against a real server. docs/security.md SEC-240, SEC-241, SEC-242, SEC-243.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as client from 'openid-client';
import { createClient } from '../../src/core/clients/create-client.ts';
import { createVerifier, type Verifier } from '../../packages/sdk/src/index.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const audience = 'https://reports.example.com';
const execute = [client.allowInsecureRequests]; // plain http on loopback, for the test only
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('client_credentials and private_key_jwt with openid-client against a real server', () => {
  let server: TestServer;
  let jwksServer: Server;
  let inlineKey: CryptoKey;
  let remoteKey: CryptoKey;
  let secretClient: client.Configuration;
  let inline: client.Configuration;
  let remote: client.Configuration;
  let verifier: Verifier;

  before(async () => {
    // Loopback allowed, as in dev mode: the remote client's jwks_uri is served on 127.0.0.1.
    server = await startTestServer({ env: { GATEHOUSE_DELIVERY_ALLOWED_NETWORKS: 'loopback' } });
    const inlinePair = await generateKeyPair('ES256', { extractable: true });
    inlineKey = inlinePair.privateKey;
    const remotePair = await generateKeyPair('EdDSA', { extractable: true });
    remoteKey = remotePair.privateKey;
    const remoteJwk = { ...(await exportJWK(remotePair.publicKey)), kid: 'remote-1' };
    jwksServer = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [remoteJwk] })));
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;

    const deps = server.gatehouse.deps;
    const common = { type: 'confidential' as const, grantTypes: ['client_credentials' as const], audience, scopes: ['reports:read', 'reports:write'] };
    const withSecret = await createClient(deps, { ...common, id: 'reports', name: 'Reports' });
    await createClient(deps, { ...common, id: 'signer', name: 'Signer', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [await exportJWK(inlinePair.publicKey)] } });
    await createClient(deps, { ...common, id: 'remote-signer', name: 'Remote signer', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri });
    await createClient(deps, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password'], audience });

    const discover = (id: string, auth: client.ClientAuth) => client.discovery(new URL(server.url), id, undefined, auth, { algorithm: 'oauth2', execute });
    secretClient = await discover('reports', client.ClientSecretBasic(withSecret.secret!));
    inline = await discover('signer', client.PrivateKeyJwt(inlineKey));
    remote = await discover('remote-signer', client.PrivateKeyJwt({ key: remoteKey, kid: 'remote-1' }));
    verifier = createVerifier({ issuer: server.url, audience });
  });
  after(async () => {
    verifier?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
    await server?.close();
  });

  const tokenEndpoint = () => `${server.url}/v1/token`;
  const post = (fields: Record<string, string>) =>
    fetch(tokenEndpoint(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;
  const assertion = (claims: Record<string, unknown>, key: CryptoKey = inlineKey, alg = 'ES256') =>
    new SignJWT({ jti: randomUUID(), ...claims }).setProtectedHeader({ alg }).setIssuedAt().sign(key);
  const signerAssertion = (overrides: Record<string, unknown> = {}) =>
    assertion({ iss: 'signer', sub: 'signer', aud: server.url, exp: Math.floor(Date.now() / 1000) + 60, ...overrides });
  const withAssertion = (jwt: string, extra: Record<string, string> = {}) =>
    post({ grant_type: 'client_credentials', client_assertion_type: assertionType, client_assertion: jwt, ...extra });

  it('discovery advertises the grant, private_key_jwt and its algorithms', () => {
    const metadata = secretClient.serverMetadata();
    assert.ok(metadata.grant_types_supported?.includes('client_credentials'));
    assert.ok(metadata.token_endpoint_auth_methods_supported?.includes('private_key_jwt'));
    assert.ok(metadata.token_endpoint_auth_signing_alg_values_supported?.includes('ES256'));
  });

  it("a service's token: sub is the client, no sid, no refresh token, the client's audience and scopes; the SDK accepts it", async () => {
    for (const config of [secretClient, inline, remote]) {
      const tokens = await client.clientCredentialsGrant(config);
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(tokens.token_type, 'bearer');
      const claims = decodeJwt(tokens.access_token);
      const id = config.clientMetadata().client_id;
      assert.equal(claims.sub, id);
      assert.equal(claims.client_id, id);
      assert.equal(claims.sid, undefined);
      assert.equal(claims.aud, audience);
      assert.equal(claims.scope, 'reports:read reports:write');
      const verified = await verifier.verify(tokens.access_token);
      assert.equal(verified.sub, id);
      assert.equal(verified.sid, undefined);
    }
  });

  it('scope narrows to what is asked, within the registered scopes; more is invalid_scope (SEC-243)', async () => {
    const narrowed = await client.clientCredentialsGrant(inline, { scope: 'reports:read' });
    assert.equal(decodeJwt(narrowed.access_token).scope, 'reports:read');
    await assert.rejects(client.clientCredentialsGrant(inline, { scope: 'reports:read admin' }), (error: { error?: string }) => error.error === 'invalid_scope');
    const spa = await post({ grant_type: 'client_credentials', client_id: 'spa' });
    assert.equal(await errorOf(spa), 'unauthorized_client', 'a public client has no client_credentials');
  });

  it('resource (RFC 8707): the registered audience is granted, any other is invalid_target (SEC-242)', async () => {
    const tokens = await client.clientCredentialsGrant(secretClient, { resource: audience });
    assert.equal(decodeJwt(tokens.access_token).aud, audience);
    for (const resource of ['https://other.example.com', `${audience}/`, 'https://REPORTS.example.com']) {
      await assert.rejects(client.clientCredentialsGrant(secretClient, { resource }), (error: { error?: string }) => error.error === 'invalid_target', resource);
    }
  });

  it('with a DPoP proof the service token is bound (cnf.jkt, token_type DPoP)', async () => {
    const DPoP = client.getDPoPHandle(inline, await client.randomDPoPKeyPair('ES256'));
    const tokens = await client.clientCredentialsGrant(inline, undefined, { DPoP });
    assert.equal(tokens.token_type, 'dpop');
    assert.ok((decodeJwt(tokens.access_token).cnf as { jkt?: string }).jkt);
  });

  // Named after the OpenID conformance suite's FAPI 2.0 modules that check the same.
  it('fapi2-security-profile-final-ensure-client-assertion-with-exp-is-5-minutes-in-past-fails (SEC-241)', async () => {
    assert.equal(await errorOf(await withAssertion(await signerAssertion({ exp: Math.floor(Date.now() / 1000) - 300 }))), 'invalid_client');
  });

  it('fapi2-security-profile-final-ensure-client-assertion-with-wrong-aud-fails (SEC-241)', async () => {
    assert.equal(await errorOf(await withAssertion(await signerAssertion({ aud: 'https://other-server.example' }))), 'invalid_client');
  });

  it('fapi2-security-profile-final-ensure-client-assertion-with-no-sub-fails (SEC-241)', async () => {
    assert.equal(await errorOf(await withAssertion(await signerAssertion({ sub: undefined }), { client_id: 'signer' })), 'invalid_client');
  });

  it('fapi2-security-profile-final-par-test-array-as-audience-fails: an audience array, even naming us, is refused (SEC-241)', async () => {
    assert.equal(await errorOf(await withAssertion(await signerAssertion({ aud: [server.url] }))), 'invalid_client');
    assert.equal(await errorOf(await withAssertion(await signerAssertion({ aud: [server.url, 'https://other-server.example'] }))), 'invalid_client');
  });

  it('a client assertion is single use: the same one again is invalid_client (SEC-240)', async () => {
    const jwt = await signerAssertion();
    assert.equal((await withAssertion(jwt)).status, 200);
    const replay = await withAssertion(jwt);
    assert.equal(replay.status, 401);
    assert.equal(await errorOf(replay), 'invalid_client');
  });

  it('refuses assertions with the wrong audience, issuer or subject, no or a far exp, a key not registered, a symmetric algorithm, or beside a secret (SEC-241)', async () => {
    const other = await generateKeyPair('ES256');
    const nowSeconds = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<string>][] = [
      ['another audience', signerAssertion({ aud: 'https://evil.example' })],
      ['the revocation endpoint as audience', signerAssertion({ aud: `${server.url}/v1/token/revoke` })],
      ['iss is another client', signerAssertion({ iss: 'reports' })],
      ['sub is another client', signerAssertion({ sub: 'remote-signer' })],
      ['no exp', signerAssertion({ exp: undefined })],
      ['expired', signerAssertion({ exp: nowSeconds - 60 })],
      ['exp an hour ahead', signerAssertion({ exp: nowSeconds + 3600 })],
      ['no jti', assertion({ iss: 'signer', sub: 'signer', aud: server.url, exp: nowSeconds + 60, jti: undefined })],
      ['another key', assertion({ iss: 'signer', sub: 'signer', aud: server.url, exp: nowSeconds + 60 }, other.privateKey)],
      ['HS256', new SignJWT({ iss: 'signer', sub: 'signer', aud: server.url, exp: nowSeconds + 60, jti: randomUUID() }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)))],
      ["a secret client's id", assertion({ iss: 'reports', sub: 'reports', aud: server.url, exp: nowSeconds + 60 })],
    ];
    for (const [name, jwt] of cases) {
      const response = await withAssertion(await jwt);
      assert.equal(response.status, 401, name);
      assert.equal(await errorOf(response), 'invalid_client', name);
    }
    const both = await post({ grant_type: 'client_credentials', client_id: 'signer', client_secret: 'x', client_assertion_type: assertionType, client_assertion: await signerAssertion() });
    assert.equal(await errorOf(both), 'invalid_client', 'an assertion and a secret');
    const wrongType = await post({ grant_type: 'client_credentials', client_assertion_type: 'urn:other', client_assertion: await signerAssertion() });
    assert.equal(await errorOf(wrongType), 'invalid_client', 'another assertion type');
    const mismatch = await withAssertion(await signerAssertion(), { client_id: 'remote-signer' });
    assert.equal(await errorOf(mismatch), 'invalid_client', 'client_id names another client');
    const bare = await post({ grant_type: 'client_credentials', client_id: 'signer' });
    assert.equal(await errorOf(bare), 'invalid_client', 'no credential at all');
    assert.equal((await withAssertion(await signerAssertion({ aud: tokenEndpoint() }))).status, 200, 'the token endpoint is an accepted audience');
  });
});
