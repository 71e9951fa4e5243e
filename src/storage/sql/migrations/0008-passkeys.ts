import type { Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * Passkeys (WebAuthn credentials) and the challenges of ceremonies in progress. A credential id
 * is unique across all accounts (docs/security.md SEC-178); a challenge is keyed on the SHA-256
 * of its ceremony cookie's secret. Both go with their user (ON DELETE CASCADE); a passwordless
 * login's challenge has no user yet.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    .addColumn('public_key', binaryType(db), (c) => c.notNull())
    .addColumn('counter', bigintType, (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('backed_up', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('last_used_at_ms', bigintType)
    .execute();
  await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();

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

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['passkey_challenges', 'passkeys']) await db.schema.dropTable(table).execute();
}
