import type { Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * Email verification, password reset, emailed codes, TOTP and recovery codes. Every secret is
 * stored as a SHA-256 hash, except the TOTP secret, which is encrypted (it must be read back).
 * Everything goes with its user (ON DELETE CASCADE).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('one_time_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('secret_hash', binaryType(db), (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .addColumn('used_at_ms', bigintType)
    .execute();
  await db.schema.createIndex('one_time_tokens_user_id_purpose').on('one_time_tokens').columns(['user_id', 'purpose']).execute();
  await db.schema.createIndex('one_time_tokens_expires_at_ms').on('one_time_tokens').column('expires_at_ms').execute();

  await db.schema
    .createTable('email_verifications')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('verified_at_ms', bigintType, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('email_codes')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('code_hash', binaryType(db), (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('email_codes_expires_at_ms').on('email_codes').column('expires_at_ms').execute();

  await db.schema
    .createTable('totp_credentials')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret_jwe', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('confirmed_at_ms', bigintType)
    .addColumn('last_used_step', bigintType)
    .execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', binaryType(db), (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('used_at_ms', bigintType)
    .execute();
  await db.schema.createIndex('recovery_codes_user_id').on('recovery_codes').column('user_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['recovery_codes', 'totp_credentials', 'email_codes', 'email_verifications', 'one_time_tokens']) await db.schema.dropTable(table).execute();
}
