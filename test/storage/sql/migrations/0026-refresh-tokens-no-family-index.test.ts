import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { binaryType } from '../../../../src/storage/sql/migrations/column-types.ts';
import { migrateTo, onEachDatabase, type MigratableStore } from '../../../support/migration-test.ts';
import { aSecretHash, aSession, aUser, hourMs, t0Ms } from '../../contract/fixtures.ts';

async function hasFamilyIndex(store: MigratableStore): Promise<boolean> {
  const { rows } =
    binaryType(store.db) === 'blob'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name = 'refresh_tokens_family_id'`.execute(store.db)
      : await sql<{ name: string }>`select indexname as name from pg_indexes where indexname = 'refresh_tokens_family_id'`.execute(store.db);
  return rows.length === 1;
}

const token = (id: string, familyId: string, sessionId: string) => ({
  id,
  familyId,
  sessionId,
  clientId: 'web',
  secretHash: aSecretHash(id.charCodeAt(id.length - 1)),
  scope: '',
  createdAtMs: t0Ms,
  idleExpiresAtMs: t0Ms + hourMs,
  familyExpiresAtMs: t0Ms + 24 * hourMs,
  usedAtMs: null,
  successorId: null,
  dpopJkt: null,
  openIdLogin: null,
});

async function assertMigrated(store: MigratableStore): Promise<void> {
  // Two families on two sessions, stored by the previous release.
  await migrateTo(store.db, '0025-audit-one-index-fewer');
  assert.equal(await hasFamilyIndex(store), true);
  const alice = aUser('alice');
  await store.users.create(alice);
  await store.sessions.create(aSession('s-1', alice.id));
  await store.sessions.create(aSession('s-2', alice.id));
  for (const t of [token('a1', 'a1', 's-1'), token('a2', 'a1', 's-1'), token('b1', 'b1', 's-1'), token('c1', 'c1', 's-2')]) await store.refreshTokens.insert(t);

  await migrateToLatest(store.db);
  assert.equal(await hasFamilyIndex(store), false, 'a rotation writes one index fewer');
  assert.equal(await store.refreshTokens.deleteFamily('s-1', 'a1'), 2, 'the family is found through its session');
  assert.deepEqual((await Promise.all(['a1', 'a2', 'b1', 'c1'].map((id) => store.refreshTokens.findById(id)))).map((t) => t?.id ?? null), [null, null, 'b1', 'c1']);
  // And back.
  await migrateTo(store.db, '0025-audit-one-index-fewer');
  assert.equal(await hasFamilyIndex(store), true);
  await migrateToLatest(store.db);
}

describe('migration 0026: refresh tokens without a family index; a family is deleted through its session', () => {
  onEachDatabase(assertMigrated);
});
