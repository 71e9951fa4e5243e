import type { Kysely } from 'kysely';
import { binaryType, bigintType } from './column-types.ts';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('updated_at_ms', bigintType, (c) => c.notNull())
    .addColumn('disabled_at_ms', bigintType)
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_hash', binaryType(db), (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('last_seen_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_at_ms').on('sessions').column('expires_at_ms').execute();

  await db.schema
    .createTable('throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at_ms', bigintType, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at_ms', bigintType, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('email', 'text')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_user_id_at_ms').on('audit').columns(['user_id', 'at_ms']).execute();
  await db.schema.createIndex('audit_at_ms').on('audit').column('at_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['audit', 'throttle', 'sessions', 'users']) await db.schema.dropTable(table).execute();
}
