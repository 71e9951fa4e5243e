import type { Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * DPoP (RFC 9449) and client assertions (RFC 7523):
 * - `refresh_tokens.dpop_jkt`: the key a public client's refresh token family is bound to;
 * - `replay_records`: the `jti` of every accepted DPoP proof and client assertion, kept until the
 *   proof could no longer be accepted anyway, so a replay is refused on every instance.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('refresh_tokens').addColumn('dpop_jkt', 'text').execute();
  await db.schema
    .createTable('replay_records')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('replay_records_expires_at_ms').on('replay_records').column('expires_at_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('replay_records').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('dpop_jkt').execute();
}
