// The registered token endpoint auth method, enforced at every endpoint where a client
// authenticates (token, introspection, revocation, PAR), with openid-client as the client
// against a real server: docs/security.md SEC-208.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { createClient } from '../../src/core/clients/create-client.ts';
import { clientRecord } from '../support/client-record.ts';
import { startTestServer, type TestServer } from '../support/start-server.ts';

const execute = [client.allowInsecureRequests]; // plain http on loopback, for the test only
const audience = 'https://reports.example.com';
const redirectUri = 'http://127.0.0.1:9/callback';

describe('token_endpoint_auth_method is enforced (SEC-208)', () => {
  let server: TestServer;
  const secrets: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    const deps = server.gatehouse.deps;
    const common = { type: 'confidential' as const, grantTypes: ['client_credentials' as const, 'authorization_code' as const], audience, redirectUris: [redirectUri] };
    secrets['basic'] = (await createClient(deps, { ...common, id: 'basic', name: 'Basic (the default)' })).secret!;
    secrets['post'] = (await createClient(deps, { ...common, id: 'post', name: 'Post', tokenEndpointAuthMethod: 'client_secret_post' })).secret!;
    // Registered before enforcement: migration 0020 lets it send its secret either way.
    secrets['legacy'] = 'legacy-secret-of-43-characters-xxxxxxxxxxxxx';
    const secretHash = createHash('sha256').update(secrets['legacy']).digest('base64url');
    await deps.store.clients.create(clientRecord({ id: 'legacy', name: 'Legacy', type: 'confidential', secretHash, grantTypes: ['client_credentials'], audience, refreshTokenDelivery: 'body', createdAtMs: Date.now() }, { acceptsEitherSecretMethod: true }));
  });
  after(() => server?.close());

  const configFor = (id: string, auth: client.ClientAuth) => client.discovery(new URL(server.url), id, undefined, auth, { algorithm: 'oauth2', execute });
  const refusedWithInvalidClient = async (attempt: Promise<unknown>, what: string) => {
    const error = await attempt.then(() => assert.fail(`${what}: accepted`), (e: unknown) => e);
    // After HTTP Basic the 401 also carries a Basic challenge (RFC 6749 5.2), which openid-client reports as such.
    if (error instanceof client.WWWAuthenticateChallengeError) {
      assert.equal(error.status, 401, what);
      assert.equal(error.cause[0]?.scheme, 'basic', what);
      assert.equal(((await error.response.json()) as { error: string }).error, 'invalid_client', what);
      return;
    }
    assert.ok(error instanceof client.ResponseBodyError, `${what}: ${String(error)}`);
    assert.equal(error.error, 'invalid_client', what);
    assert.equal(error.status, 401, what);
  };

  it('discovery lists the four methods at the token, revocation and introspection endpoints', async () => {
    const metadata = (await configFor('basic', client.ClientSecretBasic(secrets['basic']!))).serverMetadata();
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
    assert.deepEqual(metadata.revocation_endpoint_auth_methods_supported, metadata.token_endpoint_auth_methods_supported);
  });

  it('a client_secret_basic client gets tokens with HTTP Basic and is refused when it posts its secret (SEC-208)', async () => {
    const good = await configFor('basic', client.ClientSecretBasic(secrets['basic']!));
    const { access_token: token } = await client.clientCredentialsGrant(good);
    assert.equal(typeof (await client.tokenIntrospection(good, token)).active, 'boolean');
    const posting = await configFor('basic', client.ClientSecretPost(secrets['basic']!));
    await refusedWithInvalidClient(client.clientCredentialsGrant(posting), 'token endpoint');
    await refusedWithInvalidClient(client.tokenIntrospection(posting, token), 'introspection');
    await refusedWithInvalidClient(client.tokenRevocation(posting, token), 'revocation');
    await refusedWithInvalidClient(client.buildAuthorizationUrlWithPAR(posting, { redirect_uri: redirectUri, scope: 'openid', nonce: 'n-1' }), 'PAR');
  });

  it('a client_secret_post client gets tokens with its secret in the body and is refused with HTTP Basic (SEC-208)', async () => {
    const good = await configFor('post', client.ClientSecretPost(secrets['post']!));
    assert.ok((await client.clientCredentialsGrant(good)).access_token);
    assert.ok(await client.buildAuthorizationUrlWithPAR(good, { redirect_uri: redirectUri, scope: 'openid', nonce: 'n-2' }));
    const inHeader = await configFor('post', client.ClientSecretBasic(secrets['post']!));
    await refusedWithInvalidClient(client.clientCredentialsGrant(inHeader), 'token endpoint');
    await refusedWithInvalidClient(client.buildAuthorizationUrlWithPAR(inHeader, { redirect_uri: redirectUri, scope: 'openid', nonce: 'n-3' }), 'PAR');
  });

  it('a secret client is refused with no credential, and the revocation feed takes HTTP Basic', async () => {
    await refusedWithInvalidClient(client.clientCredentialsGrant(await configFor('basic', client.None())), 'id alone');
    const feed = await fetch(`${server.url}/v1/revocations`, { headers: { authorization: `Basic ${Buffer.from(`basic:${secrets['basic']}`).toString('base64')}` } });
    assert.equal(feed.status, 200);
  });

  it('a client registered before enforcement still authenticates either way', async () => {
    for (const auth of [client.ClientSecretBasic(secrets['legacy']!), client.ClientSecretPost(secrets['legacy']!)]) {
      assert.ok((await client.clientCredentialsGrant(await configFor('legacy', auth))).access_token);
    }
  });
});
