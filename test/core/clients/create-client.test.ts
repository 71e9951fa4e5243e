import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createClient, type NewClient } from '../../../src/core/clients/create-client.ts';
import type { ClientType, GrantType } from '../../../src/core/ports.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, testEpochMs } from '../../support/core-deps.ts';
import { clientRecord } from '../../support/client-record.ts';
import { createCountingHasher } from '../../support/counting-hasher.ts';

const confidential: NewClient = { name: 'Billing backend', type: 'confidential', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' };
const publicApp: NewClient = { name: 'Mobile app', type: 'public', grantTypes: ['password', 'refresh_token', 'session'], audience: 'api://mobile' };

describe('createClient', () => {
  it('gives a confidential client a random 256-bit secret, stored only as base64url(SHA-256(secret)), without the password hasher', async () => {
    const hasher = createCountingHasher();
    const core = await createTestCore({ hasher });
    hasher.reset();
    const { client, secret } = await createClient(core, confidential);
    assert.deepEqual(hasher.calls, { hash: 0, verify: 0 }, 'a 256-bit secret needs no argon2id');

    const issued = secret ?? assert.fail('a confidential client gets a secret');
    assert.match(issued, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.equal(Buffer.from(issued, 'base64url').length, 32);
    assert.match(client.id, /^[A-Za-z0-9_-]{22}$/, 'a random id by default');
    assert.deepEqual(
      { ...client, id: 'x', secretHash: 'x' },
      clientRecord({ id: 'x', name: confidential.name, type: 'confidential', grantTypes: confidential.grantTypes, audience: 'https://api.example.com', secretHash: 'x', refreshTokenDelivery: 'body', createdAtMs: testEpochMs }),
      'without OpenID settings: no redirect URIs, client_secret_basic (held to it: SEC-208), RS256 ID tokens, no flags',
    );

    const stored = await core.store.clients.findById(client.id);
    assert.deepEqual(stored, client);
    const expectedHash = createHash('sha256').update(issued).digest('base64url');
    assert.equal(stored?.secretHash, expectedHash, 'the stored value is base64url(SHA-256(secret))');
    assert.notEqual(expectedHash, issued);

    // Neither the secret nor any 8-character piece of it is stored anywhere (a random
    // 43-character hash shares one with it by chance with probability about 2^-37).
    const everything = JSON.stringify(await core.store.clients.list());
    for (let i = 0; i + 8 <= issued.length; i++) assert.ok(!everything.includes(issued.slice(i, i + 8)), `the store holds part of the secret: ${issued.slice(i, i + 8)}`);
  });

  it('gives a public client no secret and costs no hash', async () => {
    const hasher = createCountingHasher();
    const core = await createTestCore({ hasher });
    hasher.reset();
    const { client, secret } = await createClient(core, publicApp);
    assert.equal(secret, null);
    assert.equal(client.secretHash, null);
    assert.equal((await core.store.clients.findById(client.id))?.secretHash, null);
    assert.equal(client.type, 'public');
    assert.deepEqual(client.grantTypes, ['password', 'refresh_token', 'session'], 'a public client may have every grant');
    assert.deepEqual(hasher.calls, { hash: 0, verify: 0 });
  });

  it('two clients get different ids, secrets and stored hashes', async () => {
    const core = await createTestCore();
    const a = await createClient(core, confidential);
    const b = await createClient(core, confidential);
    assert.notEqual(a.client.id, b.client.id);
    assert.notEqual(a.secret, b.secret);
    assert.notEqual(a.client.secretHash, b.client.secretHash);
  });

  it('takes an operator-chosen id, and answers a taken one with 409 client_id_taken, keeping the first client', async () => {
    const core = await createTestCore();
    const first = await createClient(core, { ...publicApp, id: 'mobile-app' });
    assert.equal(first.client.id, 'mobile-app');

    const error = await rejectsWithAuthError(createClient(core, { ...confidential, id: 'mobile-app' }), 'client_id_taken');
    assert.equal(error.status, 409);
    assert.deepEqual(await core.store.clients.findById('mobile-app'), first.client);
    assert.equal((await core.store.clients.list()).length, 1);
  });

  it('keeps grant types in the order given, without repeats', async () => {
    const core = await createTestCore();
    const { client } = await createClient(core, { ...publicApp, grantTypes: ['session', 'password', 'session'] });
    assert.deepEqual(client.grantTypes, ['session', 'password']);
    assert.deepEqual((await core.store.clients.findById(client.id))?.grantTypes, ['session', 'password']);
  });

  it('accepts a name of exactly 100 characters, counted as code points', async () => {
    const core = await createTestCore();
    const { client } = await createClient(core, { ...publicApp, name: '🔑'.repeat(100) });
    assert.equal(client.name, '🔑'.repeat(100));
  });

  it('accepts an API identifier as well as a URL for the audience, taken verbatim', async () => {
    const core = await createTestCore();
    for (const audience of ['billing-api', 'urn:example:api', 'https://api.example.com/v1/']) {
      const { client } = await createClient(core, { ...publicApp, audience });
      assert.equal(client.audience, audience);
    }
  });

  const invalidInputs: Array<[string, Partial<NewClient>]> = [
    ['an empty name', { name: '' }],
    ['a name of spaces only', { name: '   ' }],
    ['a name of 101 characters', { name: 'a'.repeat(101) }],
    ['a name with a line break', { name: 'Billing\nadmin: yes' }],
    ['no grant types', { grantTypes: [] }],
    ['an unknown grant type', { grantTypes: ['password', 'implicit' as GrantType] }],
    ['authorization_code without a redirect URI', { grantTypes: ['authorization_code'] }],
    ['a redirect URI with a fragment', { grantTypes: ['authorization_code'], redirectUris: ['https://rp.example.com/cb#x'] }],
    ['a redirect URI over http to a remote host', { grantTypes: ['authorization_code'], redirectUris: ['http://rp.example.com/cb'] }],
    ['a back-channel logout URI with a custom scheme', { backchannelLogoutUri: 'com.example.app:/bc' }],
    ['a JWKS URI and an inline JWKS both', { tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://rp.example.com/jwks', jwks: { keys: [{ kty: 'EC' }] } }],
    ['an ID token algorithm Gatehouse does not sign with', { idTokenSignedResponseAlg: 'HS256' }],
    ['a scope with a space', { scopes: ['a b'] }],
    ['an unknown client type', { type: 'trusted' as ClientType }],
    ['an empty audience', { audience: '' }],
    ['an audience with a space', { audience: 'https://api.example.com extra' }],
    ['an audience with a tab', { audience: 'api\tx' }],
    ['an audience with a NUL', { audience: 'api\u0000x' }],
    ['an audience over 2048 characters', { audience: `https://${'a'.repeat(2048)}` }],
    ['an empty id', { id: '' }],
    ['an id with a space', { id: 'my app' }],
    ['an id with a colon (it would break HTTP Basic)', { id: 'app:1' }],
    ['an id of 101 characters', { id: 'a'.repeat(101) }],
  ];
  for (const [what, override] of invalidInputs) {
    it(`refuses ${what} with validation_failed, hashing nothing and storing nothing`, async () => {
      const hasher = createCountingHasher();
      const core = await createTestCore({ hasher });
      hasher.reset();
      const error = await rejectsWithAuthError(createClient(core, { ...confidential, ...override }), 'validation_failed');
      assert.equal(error.status, 400);
      assert.ok(error.detail !== undefined && error.detail.length > 0, 'the refusal says what is wrong');
      assert.deepEqual(hasher.calls, { hash: 0, verify: 0 });
      assert.deepEqual(await core.store.clients.list(), []);
    });
  }

  it('registers a browser app with cookie delivery of refresh tokens; body is the default', async () => {
    const core = await createTestCore();
    const { client } = await createClient(core, { ...publicApp, name: 'Web app', refreshTokenDelivery: 'cookie' });
    assert.equal(client.refreshTokenDelivery, 'cookie');
    assert.equal((await core.store.clients.findById(client.id))?.refreshTokenDelivery, 'cookie');
    assert.equal((await createClient(core, publicApp)).client.refreshTokenDelivery, 'body');
  });

  it('refuses cookie delivery for a confidential client, and an unknown delivery, registering nothing', async () => {
    const core = await createTestCore();
    const confidentialCookie = await rejectsWithAuthError(createClient(core, { ...confidential, refreshTokenDelivery: 'cookie' }), 'validation_failed');
    assert.match(confidentialCookie.detail ?? '', /public clients/);
    const unknown = await rejectsWithAuthError(createClient(core, { ...publicApp, refreshTokenDelivery: 'localStorage' as never }), 'validation_failed');
    assert.match(unknown.detail ?? '', /body, cookie/);
    assert.deepEqual(await core.store.clients.list(), []);
  });
});

describe('createClient: OpenID clients', () => {
  it('a private_key_jwt client gets no secret; a client_secret_post one gets one; the audience defaults to the client id', async () => {
    const core = await createTestCore();
    const keyed = await createClient(core, { name: 'Keyed', type: 'confidential', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://rp.example.com/jwks', id: 'keyed' });
    assert.equal(keyed.secret, null);
    assert.equal(keyed.client.secretHash, null);
    assert.equal(keyed.client.audience, 'keyed');
    const posted = await createClient(core, { name: 'Posted', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: ['https://rp.example.com/cb'], tokenEndpointAuthMethod: 'client_secret_post' });
    assert.match(posted.secret ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(posted.client.audience, posted.client.id);
    assert.deepEqual(await core.store.clients.findById(posted.client.id), posted.client);
  });
});
