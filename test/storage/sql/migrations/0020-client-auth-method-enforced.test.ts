import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { migrateTo, onEachDatabase, type MigratableStore } from '../../../support/migration-test.ts';

const before = '0019-pushed-authorization-requests';

/** Clients as the previous release's CLI registered them: its default, an explicit post, a key, a public app. */
async function insertOldClients(db: Kysely<any>): Promise<void> {
  const row = (id: string, type: string, method: string, secretHash: string | null) => ({
    id, name: id, type, secret_hash: secretHash, grant_types: 'client_credentials', audience: 'api', refresh_token_delivery: 'body', token_endpoint_auth_method: method,
    jwks: method === 'private_key_jwt' ? '{"keys":[]}' : null, created_at_ms: 1,
  });
  await db.insertInto('clients').values([
    row('old-default', 'confidential', 'client_secret_basic', 'hash'),
    row('old-post', 'confidential', 'client_secret_post', 'hash'),
    row('old-signer', 'confidential', 'private_key_jwt', null),
    row('old-app', 'public', 'none', null),
  ]).execute();
}

async function assertMigrated(store: MigratableStore): Promise<void> {
  await insertOldClients(store.db);
  await migrateToLatest(store.db);
  const leeway = async (id: string): Promise<boolean | undefined> => (await store.clients.findById(id))?.acceptsEitherSecretMethod;
  // Clients that authenticated with a secret keep working whichever way they send it (SEC-208).
  assert.equal(await leeway('old-default'), true);
  assert.equal(await leeway('old-post'), true);
  // The others were already held to their method.
  assert.equal(await leeway('old-signer'), false);
  assert.equal(await leeway('old-app'), false);
}

describe('migration 0020: the registered token endpoint auth method is enforced, existing secret clients keep either secret method (SEC-208)', () => {
  onEachDatabase(async (store) => {
    await migrateTo(store.db, before);
    await assertMigrated(store);
  });
});
