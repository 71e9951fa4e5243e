import type { Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/** Pushed authorization requests (RFC 9126): single use, 60 seconds, keyed by the hash of the request_uri. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pushed_authorization_requests')
    .addColumn('id_hash', binaryType(db), (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pushed_authorization_requests_expires_at_ms').on('pushed_authorization_requests').column('expires_at_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pushed_authorization_requests').execute();
}
