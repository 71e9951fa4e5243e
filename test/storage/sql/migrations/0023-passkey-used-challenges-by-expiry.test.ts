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
import { aSecretHash, t0Ms } from '../../contract/fixtures.ts';

const migrator = (db: Kysely<any>): Migrator =>
  new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'gatehouse_migrations', migrationLockTableName: 'gatehouse_migrations_lock' });

async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const { error } = await migrator(db).migrateTo(name);
  if (error !== undefined) throw error;
}

async function assertMigrated(store: Store & { db: Kysely<any> }): Promise<void> {
  // A challenge answered by the previous release, just before the upgrade.
  await migrateTo(store.db, '0022-code-id-token-claims');
  await store.db.insertInto('passkey_used_challenges').values({ challenge_hash: aSecretHash(1), expires_at_ms: t0Ms }).execute();
  await migrateToLatest(store.db);
  assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms), false, 'still answered after the upgrade (SEC-170)');
  assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms), true);
  // And back: both rows survive the down migration, keyed on the hash alone again.
  await migrateTo(store.db, '0022-code-id-token-claims');
  const rows = await store.db.selectFrom('passkey_used_challenges').select(['expires_at_ms']).execute();
  assert.equal(rows.length, 2);
  await migrateToLatest(store.db);
}

describe('migration 0023: answered passkey ceremonies keyed expiry first, the ones answered before the upgrade kept', () => {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-0023-'));
    const store = await openSqliteStore(join(dir, 'db.sqlite'), { migrate: 'never' });
    try {
      await assertMigrated(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL', async () => {
    const store = await openPostgresStore(await createTestDatabase(), { migrate: 'never' });
    try {
      await assertMigrated(store);
    } finally {
      await store.close();
    }
  });
});
