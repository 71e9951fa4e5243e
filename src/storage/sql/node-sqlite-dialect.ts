import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { classifySqliteError } from './sqlite-errors.ts';

const maxCachedStatements = 256;

/**
 * A thin kysely dialect for Node's built-in `node:sqlite`: kysely's own SqliteDialect already
 * speaks the better-sqlite3 shape, so this adapts `DatabaseSync` to it. Prepared statements
 * are cached by SQL text (kysely prepares on every execution otherwise).
 */
export function nodeSqliteDialect(database: DatabaseSync): SqliteDialect {
  const cache = new Map<string, SqliteStatement>();
  const guard = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      return classifySqliteError(error);
    }
  };
  const adapt = (statement: StatementSync): SqliteStatement => ({
    reader: statement.columns().length > 0,
    all: (parameters) => guard(() => statement.all(...(parameters as never[]))),
    run: (parameters) => guard(() => statement.run(...(parameters as never[]))),
    iterate: (parameters) => guard(() => statement.iterate(...(parameters as never[]))),
  });
  const adapter: SqliteDatabase = {
    close: () => {
      if (database.isOpen) database.close();
    },
    prepare(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        if (cache.size >= maxCachedStatements) cache.delete(cache.keys().next().value as string);
        statement = adapt(guard(() => database.prepare(sql)));
        cache.set(sql, statement);
      }
      return statement;
    },
  };
  return new SqliteDialect({ database: adapter });
}
