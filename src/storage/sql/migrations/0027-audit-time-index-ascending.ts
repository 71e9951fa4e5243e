import type { Kysely } from 'kysely';

/**
 * The audit trail's time index in ascending order: `audit_at_ms_id` on `(at_ms, id DESC)` instead
 * of `(at_ms DESC, id)` (0025), UNIQUE as before.
 *
 * Newest first put every new entry at the index's LEFT end. A B-tree appended at its right end
 * splits a full page cheaply; at the left end, SQLite rebalances the page with its neighbours,
 * so the index dirtied ~2.1 to 2.5 leaf pages and ~0.65 interior pages per passkey-login group
 * commit, of ~10 pages in all (bench, WAL frames by B-tree). In ascending order it appends at the
 * right end: ~1.5 leaf pages, ~1 page fewer per commit; PostgreSQL likewise has a fast path for
 * inserts into the rightmost leaf.
 *
 * Read backwards, the index gives the same order as before: newest first, ties by id ascending
 * (`ORDER BY at_ms DESC, id`), and the paging cursor `(at_ms, id)` likewise, without a sort;
 * `(at_ms, id)` stays unique. Only the index is rebuilt (the table is not copied).
 */
async function timeIndex(db: Kysely<any>, columns: string[]): Promise<void> {
  await db.schema.dropIndex('audit_at_ms_id').execute();
  await db.schema.createIndex('audit_at_ms_id').on('audit').columns(columns).unique().execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await timeIndex(db, ['at_ms', 'id desc']);
}

export async function down(db: Kysely<any>): Promise<void> {
  await timeIndex(db, ['at_ms desc', 'id']);
}
