import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import { migrations } from '../../../../src/storage/sql/migrations/index.ts';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { openSqliteStore } from '../../../../src/storage/sql/sqlite.ts';
import { openPostgresStore } from '../../../../src/storage/sql/postgres.ts';
import type { Store } from '../../../../src/core/ports.ts';
import { createTestDatabase } from '../../../support/postgres.ts';

const before = '0019-pushed-authorization-requests';

/** Migrates a bare database up to just before 0020, as a server of the previous release left it. */
async function migrateToBefore(db: Kysely<any>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'gatehouse_migrations', migrationLockTableName: 'gatehouse_migrations_lock' });
  const { error } = await migrator.migrateTo(before);
  if (error !== undefined) throw error;
}

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

async function assertMigrated(store: Store & { db: Kysely<any> }): Promise<void> {
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
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-0020-'));
    const store = await openSqliteStore(join(dir, 'db.sqlite'), { migrate: 'never' });
    try {
      await migrateToBefore(store.db);
      await assertMigrated(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL', async () => {
    const store = await openPostgresStore(await createTestDatabase(), { migrate: 'never' });
    try {
      await migrateToBefore(store.db);
      await assertMigrated(store);
    } finally {
      await store.close();
    }
  });
});
