import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { authenticateClient, type ClientCredentials } from '../../../src/core/clients/authenticate-client.ts';
import { createClient } from '../../../src/core/clients/create-client.ts';
import type { Client, Store } from '../../../src/core/ports.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, testEpochMs, type TestCore } from '../../support/core-deps.ts';
import { createCountingHasher, type CountingHasher } from '../../support/counting-hasher.ts';
import { clientRecord } from '../../support/client-record.ts';

/** The credentials as the HTTP layer names them: a secret in HTTP Basic, or the id alone. */
type Presented = Omit<ClientCredentials, 'method'>;
const withMethod = (credentials: Presented): ClientCredentials => ({ method: credentials.clientSecret === undefined ? 'none' : 'client_secret_basic', ...credentials });

const sha256Base64url = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

const authenticate = (core: TestCore, credentials: Presented): Promise<Client> => authenticateClient(core, withMethod(credentials));

describe('authenticateClient', () => {
  // One core for the file: the clients are only read.
  let core: TestCore;
  let hasher: CountingHasher;
  let server: Client;
  let secret: string;
  let otherSecret: string;
  let mobile: Client;
  /** The client ids looked up in the store, in order, since the last reset. */
  let lookups: string[];

  before(async () => {
    hasher = createCountingHasher();
    const base = await createTestCore({ hasher });
    lookups = [];
    // The store as authenticateClient sees it, recording every client lookup.
    const store: Store = {
      ...base.store,
      clients: {
        ...base.store.clients,
        findById: (id) => {
          lookups.push(id);
          return base.store.clients.findById(id);
        },
      },
    };
    core = { ...base, store };
    const created = await createClient(core, { name: 'Server app', type: 'confidential', grantTypes: ['password'], audience: 'https://api.example.com', id: 'server-app' });
    server = created.client;
    secret = created.secret ?? assert.fail('a confidential client gets a secret');
    otherSecret = (await createClient(core, { name: 'Other server', type: 'confidential', grantTypes: ['password'], audience: 'https://api.example.com', id: 'other-server' })).secret ?? assert.fail('a confidential client gets a secret');
    mobile = (await createClient(core, { name: 'Mobile app', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com', id: 'mobile-app' })).client;
    // Inconsistent rows a damaged or hand-edited database could hold: they must refuse, not throw.
    const odd: Client[] = [
      clientRecord({ id: 'public-with-hash', name: 'Public with a hash', type: 'public', secretHash: sha256Base64url(secret), grantTypes: ['password'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: testEpochMs }),
      clientRecord({ id: 'confidential-without-hash', name: 'Confidential without a hash', type: 'confidential', secretHash: null, grantTypes: ['password'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: testEpochMs }),
      clientRecord({ id: 'truncated-hash', name: 'Truncated hash', type: 'confidential', secretHash: sha256Base64url(secret).slice(0, 20), grantTypes: ['password'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: testEpochMs }),
      clientRecord({ id: 'argon2id-hash', name: 'Left-over argon2id hash', type: 'confidential', secretHash: `$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$${sha256Base64url(secret)}`, grantTypes: ['password'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: testEpochMs }),
    ];
    for (const client of odd) assert.equal(await base.store.clients.create(client), 'created');
  });

  /** Runs `attempt` (success or refusal alike) and returns the hasher calls and store lookups it made. */
  async function costOf(attempt: () => Promise<unknown>): Promise<{ hasher: { hash: number; verify: number }; lookups: string[] }> {
    hasher.reset();
    lookups.length = 0;
    await attempt().catch(() => undefined);
    return { hasher: { ...hasher.calls }, lookups: [...lookups] };
  }

  const noHashing = { hash: 0, verify: 0 };

  it('accepts a confidential client with its secret, without the password hasher', async () => {
    assert.deepEqual(await authenticate(core, { clientId: 'server-app', clientSecret: secret }), server);
    assert.deepEqual(await costOf(() => authenticate(core, { clientId: 'server-app', clientSecret: secret })), { hasher: noHashing, lookups: ['server-app'] });
  });

  it('accepts each confidential client with its own secret only', async () => {
    assert.equal((await authenticate(core, { clientId: 'other-server', clientSecret: otherSecret })).id, 'other-server');
    await rejectsWithAuthError(authenticate(core, { clientId: 'server-app', clientSecret: otherSecret }), 'invalid_client');
    await rejectsWithAuthError(authenticate(core, { clientId: 'other-server', clientSecret: secret }), 'invalid_client');
  });

  it('accepts a public client by its id alone, without the password hasher', async () => {
    assert.deepEqual(await authenticate(core, { clientId: 'mobile-app' }), mobile);
    assert.deepEqual(await costOf(() => authenticate(core, { clientId: 'mobile-app' })), { hasher: noHashing, lookups: ['mobile-app'] });
  });

  it('does not take the stored hash as the secret (SEC-75)', async () => {
    await rejectsWithAuthError(authenticate(core, { clientId: 'server-app', clientSecret: server.secretHash ?? assert.fail('a confidential client has a hash') }), 'invalid_client');
  });

  const refusals: Array<[string, () => Presented]> = [
    ['a confidential client with a wrong secret', () => ({ clientId: 'server-app', clientSecret: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}` })],
    ['a confidential client with a secret of the wrong shape', () => ({ clientId: 'server-app', clientSecret: 'wrong' })],
    ['a confidential client without its secret', () => ({ clientId: 'server-app' })],
    ['a confidential client with an empty secret', () => ({ clientId: 'server-app', clientSecret: '' })],
    ['a confidential client with its secret plus a trailing character', () => ({ clientId: 'server-app', clientSecret: `${secret}A` })],
    ['a confidential client with its secret minus its last character', () => ({ clientId: 'server-app', clientSecret: secret.slice(0, -1) })],
    ['an unknown client id with a secret', () => ({ clientId: 'no-such-app', clientSecret: secret })],
    ['an unknown client id with an empty secret', () => ({ clientId: 'no-such-app', clientSecret: '' })],
    ['an unknown client id without a secret', () => ({ clientId: 'no-such-app' })],
    ['a public client that presents a secret', () => ({ clientId: 'mobile-app', clientSecret: secret })],
    ['a public client that presents an empty secret', () => ({ clientId: 'mobile-app', clientSecret: '' })],
    ['a public client whose row carries a hash, presenting the matching secret', () => ({ clientId: 'public-with-hash', clientSecret: secret })],
    ['a confidential client whose row has no hash, with a secret', () => ({ clientId: 'confidential-without-hash', clientSecret: secret })],
    ['a confidential client whose row has no hash, without a secret', () => ({ clientId: 'confidential-without-hash' })],
    ['a confidential client whose stored hash is truncated', () => ({ clientId: 'truncated-hash', clientSecret: secret })],
    ['a confidential client whose stored hash is not a SHA-256', () => ({ clientId: 'argon2id-hash', clientSecret: secret })],
    ['a secret of 257 characters', () => ({ clientId: 'server-app', clientSecret: 'x'.repeat(257) })],
    ['a secret far longer than any issued one, starting with the right one', () => ({ clientId: 'server-app', clientSecret: `${secret}${'x'.repeat(10_000)}` })],
    ['the secret with different case', () => ({ clientId: 'server-app', clientSecret: secret.toUpperCase() === secret ? secret.toLowerCase() : secret.toUpperCase() })],
  ];
  for (const [what, credentials] of refusals) {
    it(`refuses ${what} with 401 invalid_client and the same message, without the password hasher (SEC-75)`, async () => {
      const error = await rejectsWithAuthError(authenticate(core, credentials()), 'invalid_client');
      assert.equal(error.status, 401);
      assert.equal(error.message, 'Client authentication failed.');
      assert.equal(error.detail, undefined, 'nothing says which check failed');
      assert.deepEqual((await costOf(() => authenticate(core, credentials()))).hasher, noHashing);
    });
  }

  it('does the same work for every attempt with a secret, whether the id is confidential, unknown or public (SEC-75)', async () => {
    // One lookup, then one SHA-256 and one constant-time comparison (not observable here),
    // and never the password hasher: timing must not tell which client ids exist.
    for (const clientId of ['server-app', 'no-such-app', 'mobile-app']) {
      assert.deepEqual(await costOf(() => authenticate(core, { clientId, clientSecret: 'wrong' })), { hasher: noHashing, lookups: [clientId] }, clientId);
    }
  });

  it('costs one lookup and no hashing when no secret is presented, whatever the id', async () => {
    for (const clientId of ['server-app', 'no-such-app', 'mobile-app']) {
      assert.deepEqual(await costOf(() => authenticate(core, { clientId })), { hasher: noHashing, lookups: [clientId] }, clientId);
    }
  });

  it('refuses a secret over 256 characters before looking the client up, for a known and an unknown id alike (SEC-75)', async () => {
    for (const clientId of ['server-app', 'no-such-app', 'mobile-app']) {
      await rejectsWithAuthError(authenticate(core, { clientId, clientSecret: 'x'.repeat(257) }), 'invalid_client');
      assert.deepEqual(await costOf(() => authenticate(core, { clientId, clientSecret: 'x'.repeat(257) })), { hasher: noHashing, lookups: [] }, clientId);
    }
    // 256 characters is still a (wrong) secret, checked like any other.
    assert.deepEqual(await costOf(() => authenticate(core, { clientId: 'server-app', clientSecret: 'x'.repeat(256) })), { hasher: noHashing, lookups: ['server-app'] });
  });
});

describe('authenticateClient: the registered token endpoint auth method (SEC-208)', () => {
  let core: TestCore;
  let basicSecret: string;
  let postSecret: string;
  let legacySecret: string;

  before(async () => {
    core = await createTestCore();
    const common = { type: 'confidential' as const, grantTypes: ['client_credentials' as const], audience: 'api' };
    basicSecret = (await createClient(core, { ...common, id: 'basic', name: 'Basic' })).secret ?? assert.fail('a secret');
    postSecret = (await createClient(core, { ...common, id: 'post', name: 'Post', tokenEndpointAuthMethod: 'client_secret_post' })).secret ?? assert.fail('a secret');
    // A client registered before the method was enforced, as migration 0020 left it.
    legacySecret = 'legacy-secret-of-43-characters-xxxxxxxxxxxxx';
    await core.store.clients.create(clientRecord({ id: 'legacy', name: 'Legacy', type: 'confidential', secretHash: sha256Base64url(legacySecret), grantTypes: ['client_credentials'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: testEpochMs }, { acceptsEitherSecretMethod: true }));
  });

  it('accepts each client by the method it registered; client_secret_basic is the default', async () => {
    assert.equal((await authenticateClient(core, { method: 'client_secret_basic', clientId: 'basic', clientSecret: basicSecret })).tokenEndpointAuthMethod, 'client_secret_basic');
    assert.equal((await authenticateClient(core, { method: 'client_secret_post', clientId: 'post', clientSecret: postSecret })).id, 'post');
  });

  it('refuses a client_secret_basic client that posts its secret in the body, and the reverse, with invalid_client (SEC-208)', async () => {
    const posted = await rejectsWithAuthError(authenticateClient(core, { method: 'client_secret_post', clientId: 'basic', clientSecret: basicSecret }), 'invalid_client');
    assert.match(posted.detail ?? '', /registered for client_secret_basic/);
    const inHeader = await rejectsWithAuthError(authenticateClient(core, { method: 'client_secret_basic', clientId: 'post', clientSecret: postSecret }), 'invalid_client');
    assert.match(inHeader.detail ?? '', /registered for client_secret_post/);
  });

  it('says which method is registered only to a caller with the right secret', async () => {
    const wrong = await rejectsWithAuthError(authenticateClient(core, { method: 'client_secret_post', clientId: 'basic', clientSecret: postSecret }), 'invalid_client');
    assert.equal(wrong.detail, undefined);
  });

  it('keeps a client registered before enforcement working with either secret method, and only those (SEC-208)', async () => {
    for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
      assert.equal((await authenticateClient(core, { method, clientId: 'legacy', clientSecret: legacySecret })).id, 'legacy', method);
    }
    await rejectsWithAuthError(authenticateClient(core, { method: 'none', clientId: 'legacy' }), 'invalid_client');
  });
});
