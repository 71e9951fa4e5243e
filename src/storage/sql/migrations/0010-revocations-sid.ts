import type { Kysely } from 'kysely';

/**
 * The login page tells a browser whose session was ended elsewhere why it is there
 * (core/sessions/explain-session-end.ts): that looks the session id up in the revocation feed.
 * The lookup runs for any stale cookie, so it must not scan the table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('revocations_sid').on('revocations').columns(['sid', 'seq']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('revocations_sid').execute();
}
