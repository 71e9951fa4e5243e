import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { assertLegacyAuditEntriesListed, auditIndexes, insertLegacyAuditEntries, onSqlite as sqlite, planOf } from '../../../support/audit-migration.ts';
import { migrateTo, onEachDatabase, type MigratableStore } from '../../../support/migration-test.ts';
import { t0Ms } from '../../contract/fixtures.ts';

async function assertMigrated(store: MigratableStore): Promise<void> {
  // Entries written by the previous release, three of them in the same millisecond.
  await migrateTo(store.db, '0024-code-dpop-jkt');
  const before = await insertLegacyAuditEntries(store);
  const oldIndexes = await auditIndexes(store);
  await migrateTo(store.db, '0025-audit-one-index-fewer');

  const indexes = await auditIndexes(store);
  assert.equal(indexes.length, oldIndexes.length - 1, `one index fewer: ${oldIndexes.join(', ')} -> ${indexes.join(', ')}`);
  assert.deepEqual(indexes.filter((name) => name.startsWith('audit_')), ['audit_at_ms_id', 'audit_user_id_at_ms']);

  // Every entry kept, newest first with ties by id, and a cursor walks them exactly once.
  await assertLegacyAuditEntriesListed(store, before);

  if (sqlite(store)) {
    // No query needs the dropped index: the listing and its cursor read audit_at_ms_id in order (no sort), a user's entries their own index.
    const listing = await planOf(store, store.db.selectFrom('audit').selectAll().orderBy('at_ms', 'desc').orderBy('id').limit(50).compile());
    assert.match(listing, /audit_at_ms_id/);
    assert.doesNotMatch(listing, /TEMP B-TREE/);
    const cursor = store.db
      .selectFrom('audit')
      .selectAll()
      .where((eb) => eb.or([eb('at_ms', '<', t0Ms), eb.and([eb('at_ms', '=', t0Ms), eb('id', '>', 'x')])]))
      .orderBy('at_ms', 'desc')
      .orderBy('id')
      .limit(50)
      .compile();
    assert.match(await planOf(store, cursor), /audit_at_ms_id/);
    assert.match(await planOf(store, store.db.selectFrom('audit').selectAll().where('user_id', '=', 'u').orderBy('at_ms', 'desc').orderBy('id').limit(50).compile()), /audit_user_id_at_ms/);
    assert.match(await planOf(store, store.db.selectFrom('audit').select('type').where('type', 'in', ['a', 'b']).where('at_ms', '>=', t0Ms).compile()), /audit_at_ms_id/);
  }

  // And back: every entry survives the down migration, keyed by id again.
  await migrateTo(store.db, '0024-code-dpop-jkt');
  assert.deepEqual(await auditIndexes(store), oldIndexes);
  assert.equal((await store.db.selectFrom('audit').select('id').execute()).length, before.length + 1);
  await migrateToLatest(store.db);
}

describe('migration 0025: the audit trail with one index fewer, every entry and the paging order kept', () => {
  onEachDatabase(assertMigrated);
});
