import type { DatabaseSync, StatementSync } from 'node:sqlite';
import {
  DefaultQueryExecutor,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  Transaction,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Database } from './schema.ts';
import { classifySqliteError } from './sqlite-errors.ts';

const maxCachedStatements = 256;

/** Runs `work` in one database transaction: BEGIN, then COMMIT, or ROLLBACK if it throws. */
export type RunTransaction = <T>(work: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/** SQLite's one writer connection, for kysely and for transactions run without kysely's machinery. */
export interface SqliteWriterDialect {
  /** The kysely dialect: every kysely query on the writer waits for the writer to be free, as with kysely's own SQLite driver. */
  dialect: Dialect;
  /**
   * A transaction on the writer with BEGIN, COMMIT and ROLLBACK as prepared statements, and one
   * kysely Transaction built once for all (kysely's `db.transaction()` builds a Transaction,
   * an executor and two compiled queries per transaction: about 9 us per transaction here).
   * It holds the same lock as the dialect, so no kysely query from outside the transaction can
   * run on the writer between its BEGIN and its COMMIT and join it.
   */
  transaction: RunTransaction;
}

/** First come, first served; the lock kysely's own SQLite driver uses for its one connection. */
function createLock() {
  let held: Promise<void> | undefined;
  let release: (() => void) | undefined;
  return {
    async lock(): Promise<void> {
      while (held !== undefined) await held;
      held = new Promise((resolve) => {
        release = resolve;
      });
    },
    unlock(): void {
      const resolve = release;
      held = undefined;
      release = undefined;
      resolve?.();
    },
  };
}

/**
 * Kysely over Node's built-in `node:sqlite` (`DatabaseSync`), with kysely's SQLite query
 * compiler, adapter and introspector. Prepared statements are cached by SQL text (kysely
 * prepares on every execution otherwise).
 */
export function nodeSqliteWriter(database: DatabaseSync): SqliteWriterDialect {
  const cache = new Map<string, { statement: StatementSync; reader: boolean }>();
  const prepare = (sql: string): { statement: StatementSync; reader: boolean } => {
    let cached = cache.get(sql);
    if (cached === undefined) {
      if (cache.size >= maxCachedStatements) cache.delete(cache.keys().next().value as string);
      try {
        const statement = database.prepare(sql);
        cached = { statement, reader: statement.columns().length > 0 };
      } catch (error) {
        return classifySqliteError(error);
      }
      cache.set(sql, cached);
    }
    return cached;
  };
  const execute = (sql: string, parameters: readonly unknown[]): QueryResult<unknown> => {
    const { statement, reader } = prepare(sql);
    try {
      if (reader) return { rows: statement.all(...(parameters as never[])) };
      const { changes, lastInsertRowid } = statement.run(...(parameters as never[]));
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      return classifySqliteError(error);
    }
  };
  const connection: DatabaseConnection = {
    executeQuery: async <R>(compiled: CompiledQuery) => execute(compiled.sql, compiled.parameters) as QueryResult<R>,
    async *streamQuery<R>(compiled: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
      const { statement } = prepare(compiled.sql);
      try {
        for (const row of statement.iterate(...(compiled.parameters as never[]))) yield { rows: [row as R] };
      } catch (error) {
        classifySqliteError(error);
      }
    },
  };
  const plain = (sql: string) => (): void => void execute(sql, []);
  const [begin, commit, rollback] = [plain('begin'), plain('commit'), plain('rollback')];
  const writer = createLock();
  const driver: Driver = {
    init: async () => {},
    acquireConnection: async () => {
      await writer.lock();
      return connection;
    },
    beginTransaction: async () => begin(),
    commitTransaction: async () => commit(),
    rollbackTransaction: async () => rollback(),
    releaseConnection: async () => writer.unlock(),
    destroy: async () => {
      if (database.isOpen) database.close();
    },
  };
  const dialect: Dialect = {
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new SqliteAdapter(),
    createIntrospector: (db) => new SqliteIntrospector(db),
  };

  // The one Transaction handed to every transaction's work: its queries run on the writer
  // without taking the lock (the transaction holds it), and only while a transaction is open,
  // so a Transaction kept past its COMMIT fails as kysely's own would.
  let open = false;
  const provider = {
    provideConnection: async <T>(consumer: (c: DatabaseConnection) => Promise<T>): Promise<T> => {
      if (!open) throw new Error('the transaction has already ended');
      return consumer(connection);
    },
  };
  const compiler = new SqliteQueryCompiler();
  const executor = new DefaultQueryExecutor(compiler, new SqliteAdapter(), provider, []);
  const trx = new Transaction<Database>({ config: { dialect }, driver, dialect, executor });

  return {
    dialect,
    async transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
      await writer.lock();
      try {
        begin();
        open = true;
        try {
          const result = await work(trx);
          commit();
          return result;
        } catch (error) {
          // Also after a failed COMMIT, which can leave the transaction open (SQLITE_BUSY, a deferred constraint).
          if (database.isOpen && database.isTransaction) {
            try {
              rollback();
            } catch {
              // The cause is what the caller needs; the writer is unusable anyway.
            }
          }
          throw error;
        } finally {
          open = false;
        }
      } finally {
        writer.unlock();
      }
    },
  };
}
