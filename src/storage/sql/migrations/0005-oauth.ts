import type { Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * Social login: identities at external providers, and the short-lived flow records between
 * the redirect to a provider and its callback. Accounts created by a social login have no
 * password: users.password_hash stays NOT NULL and holds '' for them (relaxing the constraint
 * would mean rebuilding the users table in SQLite, which sessions reference).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oauth_identities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('last_login_at_ms', bigintType, (c) => c.notNull())
    .addColumn('tokens_jwe', 'text')
    .addUniqueConstraint('oauth_identities_issuer_subject', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('oauth_identities_user_id').on('oauth_identities').column('user_id').execute();

  await db.schema
    .createTable('oauth_flows')
    .addColumn('id_hash', binaryType(db), (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oauth_flows_expires_at_ms').on('oauth_flows').column('expires_at_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_flows').execute();
  await db.schema.dropTable('oauth_identities').execute();
}
