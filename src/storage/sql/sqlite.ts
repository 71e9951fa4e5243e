import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Kysely } from 'kysely';
import type { Store } from '../../core/ports.ts';
import { migrateToLatest } from './migrate.ts';
import { nodeSqliteDialect } from './node-sqlite-dialect.ts';
import type { Database } from './schema.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { createSqlStore } from './sql-store.ts';
import { startWalCheckpointer, type WalCheckpointer } from './sqlite-checkpointer.ts';
import { sqliteReadPaths, sqliteTransactionPaths } from './sqlite-hot-paths.ts';

export interface SqliteStore extends Store {
  db: Kysely<Database>;
  /** The underlying connections; tests close them to simulate a failed database. */
  connections: DatabaseSync[];
  /** The WAL checkpoint worker, when `checkpoints: 'worker'`. */
  checkpointer: WalCheckpointer | null;
  /**
   * SQLite's `PRAGMA data_version` on the writer: it moves when another connection, i.e. another
   * process, commits to the file, and never for this process's own writes. The session cache
   * (storage/session-cache.ts) uses it to see writes made outside this process at once.
   */
  externalWrites(): number;
}

export interface OpenSqliteOptions {
  /** Run pending migrations before returning (the server does; `gatehouse migrate` does it explicitly). */
  migrate: 'on-open' | 'never';
  /**
   * Where WAL checkpoints run: SQLite's automatic checkpoint inside a COMMIT (the default, for
   * short-lived processes such as the CLI), or a worker thread (sqlite-checkpointer.ts), so a
   * long-running server's event loop never waits on a checkpoint's fsync.
   */
  checkpoints?: 'automatic' | 'worker';
}

function openConnection(path: string, readOnly: boolean): DatabaseSync {
  const connection = new DatabaseSync(path, { readOnly, enableForeignKeyConstraints: true });
  // WAL: readers never wait for the writer. synchronous=NORMAL in WAL mode survives a process
  // crash (kill -9) without losing a committed transaction; only an OS crash or power loss can
  // lose the last few. busy_timeout covers a CLI command writing while the server runs.
  if (!readOnly) connection.exec('PRAGMA journal_mode = WAL');
  connection.exec('PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  return connection;
}

/**
 * Opens (and creates) the embedded SQLite database at `path`. Writes go through kysely on
 * one connection; the session check and the client lookup read through a second, read-only
 * connection with prepared statements, so they never queue behind a write transaction and
 * never see uncommitted rows. Inside transactions, the refresh grant's statements run as
 * prepared statements on the writer (sqlite-hot-paths.ts).
 *
 * @example
 * const store = await openSqliteStore('./data/gatehouse.db', { migrate: 'on-open' });
 */
export async function openSqliteStore(path: string, options: OpenSqliteOptions): Promise<SqliteStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const writer = openConnection(path, false);
  const db = new Kysely<Database>({ dialect: nodeSqliteDialect(writer) });
  if (options.migrate === 'on-open') await migrateToLatest(db);

  // An in-memory database cannot be shared between connections; it reads through the writer.
  const reader = path === ':memory:' ? writer : openConnection(path, true);
  const checkpointer = path === ':memory:' || options.checkpoints !== 'worker' ? null : startWalCheckpointer(path, writer);
  const reads = sqliteReadPaths(db, reader);
  const inTransaction = sqliteTransactionPaths(db, writer);

  const connections = reader === writer ? [writer] : [writer, reader];
  let dataVersion: StatementSync | undefined;
  const externalWrites = (): number => {
    try {
      dataVersion ??= writer.prepare('PRAGMA data_version');
      return Number((dataVersion.get() as { data_version: number }).data_version);
    } catch (error) {
      return classifySqliteError(error);
    }
  };
  const store = createSqlStore(db, {
    findSessionWithUser: reads.findSessionWithUser,
    findClient: reads.findClient,
    inTransaction,
    groupCommit: { savepoint: inTransaction.savepoint },
    ping: async () => {
      try {
        reader.prepare('SELECT 1').get();
      } catch (error) {
        classifySqliteError(error);
      }
    },
    close: async () => {
      await checkpointer?.stop();
      if (reader !== writer && reader.isOpen) reader.close();
      await db.destroy();
    },
  });
  return Object.assign(store, { db, connections, checkpointer, externalWrites });
}
