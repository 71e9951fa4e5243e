import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, type TestApp } from '../../support/http-app.ts';
import { startTestServer, type TestServer } from '../../support/start-server.ts';

describe('/.well-known/oauth-authorization-server', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('publishes RFC 8414 metadata pointing at endpoints that exist', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    assert.equal(response.statusCode, 200);
    const metadata = response.json();
    assert.equal(metadata.issuer, testOrigin);
    assert.equal(metadata.token_endpoint, `${testOrigin}/v1/token`);
    assert.equal(metadata.jwks_uri, `${testOrigin}/.well-known/jwks.json`);
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'password', 'refresh_token', 'client_credentials']);
    for (const url of [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri, metadata.revocation_endpoint, metadata.introspection_endpoint, metadata.revocation_feed_endpoint]) {
      const path = new URL(url).pathname;
      const probe = await t.app.inject({ method: path.startsWith('/v1/token') ? 'POST' : 'GET', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: path.startsWith('/v1/token') ? '' : undefined });
      assert.notEqual(probe.statusCode, 404, path);
    }
  });

  it('is generated from what is enabled: response types of the enabled grants (RFC 7591 2.1), no empty scope list, the published key algorithms', async () => {
    const metadata = (await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json();
    // Only the authorization_code grant uses the authorization endpoint: `code` is its one response type.
    assert.equal(metadata.authorization_endpoint, `${testOrigin}/oauth2/authorize`);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.equal('scopes_supported' in metadata, false, 'no scopes are defined, so none are listed');
    const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as { keys: { alg: string }[] };
    assert.deepEqual(metadata.access_token_signing_alg_values_supported, [...new Set(jwks.keys.map((key) => key.alg))]);
    assert.deepEqual(metadata.access_token_signing_alg_values_supported, ['ES256'], 'the default algorithm');
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
    assert.deepEqual(metadata.introspection_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt']);
  });

  it('without the password grant (GATEHOUSE_PASSWORD_GRANT=false), the document does not offer it', async () => {
    const off = await startTestServer({ env: { GATEHOUSE_PASSWORD_GRANT: 'false' } });
    try {
      const metadata = (await (await fetch(`${off.url}/.well-known/oauth-authorization-server`)).json()) as { grant_types_supported: string[] };
      assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials']);
    } finally {
      await off.close();
    }
  });
});

describe("openid-client's discovery against a running server", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it("discovers with { algorithm: 'oauth2' }, then uses the discovered endpoints: password grant, introspection, revocation", async () => {
    const execute = [client.allowInsecureRequests]; // plain http on loopback, for the test only
    const spa = await createClient(server.gatehouse.deps, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    const api = await createClient(server.gatehouse.deps, { id: 'api', name: 'API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.example.com' });
    await signUpThroughApi(server.gatehouse.app, 'discover@example.com', testPassword);

    const config = await client.discovery(new URL(server.url), spa.client.id, undefined, client.None(), { algorithm: 'oauth2', execute });
    const metadata = config.serverMetadata();
    assert.equal(metadata.issuer, server.url);
    assert.equal(metadata.token_endpoint, `${server.url}/v1/token`);
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'password', 'refresh_token', 'client_credentials']);
    assert.deepEqual(metadata.response_types_supported, ['code']);

    const tokens = await client.genericGrantRequest(config, 'password', { username: 'discover@example.com', password: testPassword });
    assert.equal(tokens.token_type, 'bearer');
    assert.ok(tokens.access_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);

    const resourceServer = await client.discovery(new URL(server.url), api.client.id, undefined, client.ClientSecretBasic(api.secret!), { algorithm: 'oauth2', execute });
    const live = await client.tokenIntrospection(resourceServer, refreshed.access_token);
    assert.equal(live.active, true);
    assert.equal(live.client_id, 'spa');
    await client.tokenRevocation(config, refreshed.refresh_token!);
    assert.equal((await client.tokenIntrospection(resourceServer, refreshed.access_token)).active, false, 'revoking the refresh token ended the session');
  });
});
