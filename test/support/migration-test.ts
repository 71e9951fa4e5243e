import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { Migrator, type Kysely } from 'kysely';
import type { Store } from '../../src/core/ports.ts';
import { migrations } from '../../src/storage/sql/migrations/index.ts';
import { openPostgresStore } from '../../src/storage/sql/postgres.ts';
import { openSqliteStore } from '../../src/storage/sql/sqlite.ts';
import { createTestDatabase } from './postgres.ts';

export type MigratableStore = Store & { db: Kysely<any> };

/** Migrates `db` up (or down) to the migration named `name`, as a server of that release left it. */
export async function migrateTo(db: Kysely<any>, name: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'gatehouse_migrations', migrationLockTableName: 'gatehouse_migrations_lock' });
  const { error } = await migrator.migrateTo(name);
  if (error !== undefined) throw error;
}

/**
 * Two tests, "on SQLite" and "on PostgreSQL", each running `check` on a fresh, unmigrated store
 * of that kind (a temporary file; a throwaway database), closed and removed afterwards.
 */
export function onEachDatabase(check: (store: MigratableStore) => Promise<void>): void {
  it('on SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-migration-'));
    const store = await openSqliteStore(join(dir, 'db.sqlite'), { migrate: 'never' });
    try {
      await check(store);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on PostgreSQL', async () => {
    const store = await openPostgresStore(await createTestDatabase(), { migrate: 'never' });
    try {
      await check(store);
    } finally {
      await store.close();
    }
  });
}
