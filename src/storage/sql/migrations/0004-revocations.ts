import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/** The revocation feed: an append-only, ordered log that verifiers follow. */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('revocations')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('sid', 'text')
    .addColumn('jti', 'text')
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addCheckConstraint('revocations_sid_or_jti', sql`sid is not null or jti is not null`)
    .execute();
  await db.schema.createIndex('revocations_expires_at_ms').on('revocations').column('expires_at_ms').execute();
  await db.schema.createIndex('revocations_jti').on('revocations').column('jti').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revocations').execute();
}
