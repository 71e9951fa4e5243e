import { sql, type Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * The audit trail with one index fewer: its text primary key (`id`) had an index of its own
 * beside `audit_at_ms` and `audit_user_id_at_ms`, and no query looks an entry up by id. Every
 * entry (one per login) was written into four B-trees, each a page more at COMMIT and at the
 * checkpoint. Now `audit_at_ms_id` on (at_ms DESC, id), UNIQUE, replaces both the key and the
 * time index: it serves the newest-first listing and its paging cursor `(at_ms, id)` in index
 * order, and keeps that cursor unique. Ids stay NOT NULL.
 *
 * SQLite cannot drop a primary key, so its table is rebuilt (rows copied once); PostgreSQL drops
 * the constraint in place.
 */
const columns = ['id', 'at_ms', 'type', 'user_id', 'email', 'ip', 'user_agent', 'detail', 'actor_id'] as const;

async function rebuildOnSqlite(db: Kysely<any>, shape: 'keyed by time' | 'keyed by id'): Promise<void> {
  await db.schema
    .createTable('audit_rebuilt')
    .addColumn('id', 'text', (c) => (shape === 'keyed by id' ? c.primaryKey() : c.notNull()))
    .addColumn('at_ms', bigintType, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('email', 'text')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('actor_id', 'text')
    .execute();
  await db.insertInto('audit_rebuilt').columns([...columns]).expression(db.selectFrom('audit').select([...columns])).execute();
  await db.schema.dropTable('audit').execute();
  await db.schema.alterTable('audit_rebuilt').renameTo('audit').execute();
  await db.schema.createIndex('audit_user_id_at_ms').on('audit').columns(['user_id', 'at_ms']).execute();
}

const createTimeIndex = (db: Kysely<any>) => db.schema.createIndex('audit_at_ms_id').on('audit').columns(['at_ms desc', 'id']).unique().execute();

export async function up(db: Kysely<any>): Promise<void> {
  if (binaryType(db) === 'blob') {
    await rebuildOnSqlite(db, 'keyed by time');
  } else {
    await sql`alter table audit drop constraint audit_pkey`.execute(db);
    await sql`alter table audit alter column id set not null`.execute(db);
    await db.schema.dropIndex('audit_at_ms').execute();
  }
  await createTimeIndex(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (binaryType(db) === 'blob') {
    await rebuildOnSqlite(db, 'keyed by id');
  } else {
    await db.schema.dropIndex('audit_at_ms_id').execute();
    await sql`alter table audit add constraint audit_pkey primary key (id)`.execute(db);
  }
  await db.schema.createIndex('audit_at_ms').on('audit').column('at_ms').execute();
}
