import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { AuditEvent } from '../../src/core/ports.ts';
import { toAuditRow } from '../../src/storage/sql/repositories/audit.ts';
import { anAuditEvent, t0Ms } from '../storage/contract/fixtures.ts';
import type { MigratableStore } from './migration-test.ts';

/** Whether a migration test's store is the SQLite one. */
export const onSqlite = (store: MigratableStore): boolean => 'connections' in store;

/** The audit table's indexes, by name. */
export async function auditIndexes(store: MigratableStore): Promise<string[]> {
  const rows = onSqlite(store)
    ? (await sql<{ name: string }>`select name from pragma_index_list('audit')`.execute(store.db)).rows
    : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'audit'`.execute(store.db)).rows;
  return rows.map((row) => row.name).sort();
}

/** SQLite's plan for a query, one line per step. */
export async function planOf(store: MigratableStore, query: { sql: string }): Promise<string> {
  const rows = (await sql<{ detail: string }>`explain query plan ${sql.raw(query.sql)}`.execute(store.db)).rows;
  return rows.map((row) => row.detail).join('\n');
}

/** Every audit entry, page by page (`limit` a page) through the operator console's cursor `(atMs, id)`. */
export async function walkAuditPages(store: MigratableStore, limit: number): Promise<AuditEvent[]> {
  const walked: AuditEvent[] = [];
  let after: { atMs: number; id: string } | undefined;
  for (;;) {
    const page = await store.auditSearch.page({}, { limit, ...(after === undefined ? {} : { after }) });
    if (page.length === 0) return walked;
    walked.push(...page);
    const last = page[page.length - 1] as (typeof page)[number];
    after = { atMs: last.atMs, id: last.id };
  }
}

/** Entries written by a previous release, straight into the table: three of them in the same millisecond. */
export async function insertLegacyAuditEntries(store: MigratableStore): Promise<AuditEvent[]> {
  const entries = [
    anAuditEvent('a-1', { atMs: t0Ms, userId: 'user-alice' }),
    anAuditEvent('c-2', { atMs: t0Ms + 1, userId: 'user-bob' }),
    anAuditEvent('a-2', { atMs: t0Ms + 1, userId: 'user-alice', detail: 'kept' }),
    anAuditEvent('b-2', { atMs: t0Ms + 1, actorId: 'operator-1' }),
    anAuditEvent('z-3', { atMs: t0Ms + 2 }),
  ];
  for (const event of entries) await store.db.insertInto('audit').values(toAuditRow(event)).execute();
  return entries;
}

/**
 * After a migration of the audit table, on the entries `insertLegacyAuditEntries` wrote: every
 * one kept, newest first with ties by id; a cursor walks them exactly once; a user's entries by
 * user; a new entry appends, and `(at_ms, id)` stays unique. Returns the entries newest first.
 */
export async function assertLegacyAuditEntriesListed(store: MigratableStore, before: readonly AuditEvent[]): Promise<AuditEvent[]> {
  const newestFirst = [before[4], before[2], before[3], before[1], before[0]] as AuditEvent[];
  assert.deepEqual(await store.audit.list({ limit: 10 }), newestFirst);
  assert.deepEqual(await walkAuditPages(store, 2), newestFirst);
  assert.deepEqual(await store.audit.list({ limit: 10, userId: 'user-alice' }), [before[2], before[0]]);
  await store.audit.append(anAuditEvent('new-1', { atMs: t0Ms + 3 }));
  await assert.rejects(store.db.insertInto('audit').values(toAuditRow(anAuditEvent('new-1', { atMs: t0Ms + 3 }))).execute(), 'a cursor (at_ms, id) stays unique');
  return newestFirst;
}
