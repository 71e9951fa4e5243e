import type { Kysely } from 'kysely';
import { binaryType, bigintType } from './column-types.ts';

/** Refresh tokens: only hashes, one row per token of a rotation family, gone with their session. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('family_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull().references('sessions.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('secret_hash', binaryType(db), (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('idle_expires_at_ms', bigintType, (c) => c.notNull())
    .addColumn('family_expires_at_ms', bigintType, (c) => c.notNull())
    .addColumn('used_at_ms', bigintType)
    .addColumn('successor_id', 'text')
    .execute();
  await db.schema.createIndex('refresh_tokens_family_id').on('refresh_tokens').column('family_id').execute();
  await db.schema.createIndex('refresh_tokens_session_id').on('refresh_tokens').column('session_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('refresh_tokens').execute();
}
