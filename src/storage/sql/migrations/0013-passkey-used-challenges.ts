import { sql, type Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * Passkey ceremonies start without a write (docs/security.md SEC-190): the challenge travels in a
 * MAC'd cookie, and only an answered challenge is recorded, keyed on its SHA-256, until it would
 * have expired (single use, SEC-170). The table of challenges stored at every page view goes;
 * a ceremony in progress during the upgrade is asked to start again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('passkey_challenges').execute();
  // One B-tree per row: every passkey login inserts one, and each B-tree it touches is a page
  // written at COMMIT. On SQLite the table is WITHOUT ROWID (the hash is the clustered key, no
  // separate rowid tree); no index on expires_at_ms (housekeeping scans the few minutes of rows
  // it holds every 10 minutes).
  const table = db.schema
    .createTable('passkey_used_challenges')
    .addColumn('challenge_hash', binaryType(db), (c) => c.primaryKey())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull());
  await (binaryType(db) === 'blob' ? table.modifyEnd(sql`without rowid`) : table).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('passkey_used_challenges').execute();
  await db.schema
    .createTable('passkey_challenges')
    .addColumn('id_hash', binaryType(db), (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('binding_hash', binaryType(db))
    .addColumn('challenge', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('passkey_challenges_expires_at_ms').on('passkey_challenges').column('expires_at_ms').execute();
}
