import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { assertLegacyAuditEntriesListed, auditIndexes, insertLegacyAuditEntries, onSqlite, planOf, walkAuditPages } from '../../../support/audit-migration.ts';
import { migrateTo, onEachDatabase, type MigratableStore } from '../../../support/migration-test.ts';
import { anAuditEvent, t0Ms } from '../../contract/fixtures.ts';

/** The columns of `audit_at_ms_id` in key order, each with its direction. */
async function timeIndexKey(store: MigratableStore): Promise<string> {
  if (onSqlite(store)) {
    const rows = (await sql<{ name: string; desc: number; key: number }>`select name, desc, key from pragma_index_xinfo('audit_at_ms_id')`.execute(store.db)).rows;
    return rows
      .filter((row) => row.key === 1)
      .map((row) => `${row.name}${row.desc === 1 ? ' desc' : ''}`)
      .join(', ');
  }
  const row = (await sql<{ indexdef: string }>`select indexdef from pg_indexes where indexname = 'audit_at_ms_id'`.execute(store.db)).rows[0];
  return (/\((.*)\)/.exec(row?.indexdef ?? '')?.[1] ?? '').toLowerCase();
}

async function assertMigrated(store: MigratableStore): Promise<void> {
  // Entries written by the previous release, three of them in the same millisecond.
  await migrateTo(store.db, '0026-refresh-tokens-no-family-index');
  const before = await insertLegacyAuditEntries(store);
  const oldIndexes = await auditIndexes(store);
  assert.equal(await timeIndexKey(store), 'at_ms desc, id');
  await migrateTo(store.db, '0027-audit-time-index-ascending');

  // The same indexes, the time index now oldest first (new entries at its right end).
  assert.deepEqual(await auditIndexes(store), oldIndexes);
  assert.equal(await timeIndexKey(store), 'at_ms, id desc');

  // Every entry kept, newest first with ties by id, and a cursor walks them exactly once.
  const newestFirst = await assertLegacyAuditEntriesListed(store, before);
  assert.deepEqual(await walkAuditPages(store, 4), [anAuditEvent('new-1', { atMs: t0Ms + 3 }), ...newestFirst]);

  if (onSqlite(store)) {
    // The listing and its cursor read the index backwards, in order: no sort.
    const listing = await planOf(store, store.db.selectFrom('audit').selectAll().orderBy('at_ms', 'desc').orderBy('id').limit(50).compile());
    assert.match(listing, /audit_at_ms_id/);
    assert.doesNotMatch(listing, /TEMP B-TREE/);
    const cursor = await planOf(
      store,
      store.db
        .selectFrom('audit')
        .selectAll()
        .where((eb) => eb.or([eb('at_ms', '<', t0Ms), eb.and([eb('at_ms', '=', t0Ms), eb('id', '>', 'x')])]))
        .orderBy('at_ms', 'desc')
        .orderBy('id')
        .limit(50)
        .compile(),
    );
    assert.match(cursor, /audit_at_ms_id/);
    assert.doesNotMatch(cursor, /TEMP B-TREE/);
    assert.match(await planOf(store, store.db.selectFrom('audit').selectAll().where('user_id', '=', 'u').orderBy('at_ms', 'desc').orderBy('id').limit(50).compile()), /audit_user_id_at_ms/);
  }

  // And back: the newest-first index again, every entry kept.
  await migrateTo(store.db, '0026-refresh-tokens-no-family-index');
  assert.equal(await timeIndexKey(store), 'at_ms desc, id');
  assert.equal((await store.db.selectFrom('audit').select('id').execute()).length, before.length + 1);
  await migrateToLatest(store.db);
}

describe('migration 0027: the audit time index oldest first, the listing order and its cursor kept', () => {
  onEachDatabase(assertMigrated);
});
