import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { CompiledQuery } from 'kysely';
import { classifySqliteError } from './sqlite-errors.ts';

/**
 * Prepared statements on node:sqlite directly, for SQLite's fast paths (sqlite.ts). kysely builds
 * and compiles a query on every call (~15-30 us each); the refresh grant made five of them per
 * request. The SQL is still the repositories' kysely query, compiled once with `placeholder(key)`
 * for each value; values then go in by name, matched to the compiled parameters through the
 * placeholders, so the order cannot drift.
 */

/** Stands for the value named `key` when a query is compiled for `prepared()`. */
export const placeholder = (key: string): string => `\u0000hot:${key}`;

/** How a statement returns a row: as an object by column name, or as an array in column order (faster for wide rows). */
export type RowShape = 'objects' | 'arrays';

export interface PreparedStatement<K extends string> {
  /** The first row, or undefined. */
  get(values: Record<K, SQLInputValue>): unknown;
  /** Runs it; the number of rows changed. */
  run(values: Record<K, SQLInputValue>): number;
}

/**
 * The names of a query's parameters in their compiled order, for a query compiled with
 * `placeholder(key)` for each value (also used by postgres.ts for its named statements).
 */
export function parameterOrder<K extends string>(compiled: CompiledQuery, keys: readonly K[]): K[] {
  return compiled.parameters.map((parameter) => {
    const key = keys.find((k) => parameter === placeholder(k));
    if (key === undefined) throw new Error(`fast path: unexpected parameter ${String(parameter)} in ${compiled.sql}`);
    return key;
  });
}

/** A statement prepared on first use, with named values bound in the compiled order. */
export function prepared<K extends string>(connection: DatabaseSync, compiled: CompiledQuery, keys: readonly K[], rows: RowShape = 'objects'): PreparedStatement<K> {
  const order = parameterOrder(compiled, keys);
  let statement: StatementSync | undefined;
  const get = (): StatementSync => {
    if (statement === undefined) {
      statement = connection.prepare(compiled.sql);
      if (rows === 'arrays') statement.setReturnArrays(true);
    }
    return statement;
  };
  const bind = (values: Record<K, SQLInputValue>): SQLInputValue[] => order.map((key) => values[key]);
  return {
    get(values) {
      try {
        return get().get(...bind(values));
      } catch (error) {
        return classifySqliteError(error);
      }
    },
    run(values) {
      try {
        return Number(get().run(...bind(values)).changes);
      } catch (error) {
        return classifySqliteError(error);
      }
    },
  };
}

/** A statement without values, prepared on first use. */
export function preparedPlain(connection: DatabaseSync, text: string): () => void {
  let statement: StatementSync | undefined;
  return () => {
    try {
      statement ??= connection.prepare(text);
      statement.run();
    } catch (error) {
      classifySqliteError(error);
    }
  };
}
