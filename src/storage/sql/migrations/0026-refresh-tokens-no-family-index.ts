import type { Kysely } from 'kysely';

/**
 * Refresh tokens without an index on `family_id`. Every rotation inserts a token, and each index
 * takes the new entry on the page of its own family: with many families in use, one more page
 * per rotation written at COMMIT and again at the checkpoint (in-process on SQLite with 100
 * families on 100 sessions: 13.5 against 7.1 KB written and 6.8 against 3.5 system calls per
 * rotation). Only the rare family revocation (a reused token or code) looked tokens up by
 * family, and it knows the family's session, so it now goes through `refresh_tokens_session_id`
 * (RefreshTokenStore.deleteFamily).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_family_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute();
}
