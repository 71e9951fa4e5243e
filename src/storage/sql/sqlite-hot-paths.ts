import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import type { CompiledQuery, Kysely } from 'kysely';
import type { Client, RefreshTokenStore, SessionWithUser } from '../../core/ports.ts';
import { toClient } from './repositories/clients.ts';
import { toRecord, toRow } from './repositories/refresh-tokens.ts';
import { sessionWithUserColumns, toSessionWithUser, type SessionWithUserRow } from './rows.ts';
import type { ClientsTable, Database, RefreshTokensTable } from './schema.ts';
import { classifySqliteError } from './sqlite-errors.ts';

/**
 * Prepared statements for the hottest queries, run on node:sqlite directly. kysely builds and
 * compiles a query on every call (~15-30 us each); the refresh grant made five of them per
 * request. The SQL is still written with kysely, compiled once here; values go in by name,
 * matched to the compiled parameters through placeholders, so the order cannot drift.
 *
 * Two kinds:
 * - reads on the read-only connection, outside transactions (the session check, the client
 *   lookup of the token endpoint): they see committed rows only.
 * - statements on the writer, only ever called inside a transaction: the transaction holds
 *   kysely's lock on the writer connection, so nothing else runs on it between our BEGIN and
 *   COMMIT, and these statements commit or roll back with the rest of the transaction.
 */

/** A statement prepared on first use, with named values bound in the compiled order. */
function statement<K extends string>(connection: DatabaseSync, compiled: CompiledQuery, keys: readonly K[], arrays = false) {
  const order = compiled.parameters.map((parameter) => {
    const key = keys.find((k) => parameter === placeholder(k));
    if (key === undefined) throw new Error(`hot path: unexpected parameter ${String(parameter)} in ${compiled.sql}`);
    return key;
  });
  let prepared: StatementSync | undefined;
  const get = (): StatementSync => {
    if (prepared === undefined) {
      prepared = connection.prepare(compiled.sql);
      if (arrays) prepared.setReturnArrays(true);
    }
    return prepared;
  };
  const bind = (values: Record<K, SQLInputValue>): SQLInputValue[] => order.map((key) => values[key]);
  return {
    get(values: Record<K, SQLInputValue>): unknown {
      try {
        return get().get(...bind(values));
      } catch (error) {
        return classifySqliteError(error);
      }
    },
    run(values: Record<K, SQLInputValue>): number {
      try {
        return Number(get().run(...bind(values)).changes);
      } catch (error) {
        return classifySqliteError(error);
      }
    },
  };
}

const placeholder = (key: string): string => `\u0000hot:${key}`;

/** A statement without values, prepared on first use. */
function plain(connection: DatabaseSync, text: string): () => void {
  let prepared: StatementSync | undefined;
  return () => {
    try {
      prepared ??= connection.prepare(text);
      prepared.run();
    } catch (error) {
      classifySqliteError(error);
    }
  };
}

/** `SELECT sessions + users` by session id, rows as arrays (no per-row object of 14 named properties: ~25% faster). */
function sessionWithUserLookup(db: Kysely<Database>, connection: DatabaseSync): (id: string) => SessionWithUser | null {
  const compiled = db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(sessionWithUserColumns)
    .where('sessions.id', '=', placeholder('id'))
    .compile();
  const lookup = statement(connection, compiled, ['id'], true);
  const columnNames = sessionWithUserColumns.map((c) => c.split(' as ')[1] as keyof SessionWithUserRow);
  return (id) => {
    const values = lookup.get({ id }) as unknown[] | undefined;
    if (values === undefined) return null;
    const row = {} as SessionWithUserRow;
    columnNames.forEach((name, i) => {
      row[name] = values[i];
    });
    return toSessionWithUser(row);
  };
}

export interface SqliteReadPaths {
  findSessionWithUser(id: string): Promise<SessionWithUser | null>;
  findClient(id: string): Promise<Client | null>;
}

/** Reads on the read-only connection: committed rows only, never queued behind a write transaction. */
export function sqliteReadPaths(db: Kysely<Database>, reader: DatabaseSync): SqliteReadPaths {
  const sessionWithUser = sessionWithUserLookup(db, reader);
  const client = statement(reader, db.selectFrom('clients').selectAll().where('id', '=', placeholder('id')).compile(), ['id']);
  return {
    findSessionWithUser: async (id) => sessionWithUser(id),
    findClient: async (id) => {
      const row = client.get({ id }) as ClientsTable | undefined;
      return row === undefined ? null : toClient(row);
    },
  };
}

export interface SqliteTransactionPaths {
  refreshTokens: Pick<RefreshTokenStore, 'findById' | 'markUsed' | 'insert'>;
  /** A group-commit member's savepoint statements (group-commit.ts). */
  savepoint(statement: 'savepoint' | 'release' | 'rollback to'): Promise<void>;
  findSessionWithUser(id: string): Promise<SessionWithUser | null>;
  touchSession(id: string, lastSeenAtMs: number): Promise<void>;
}

const refreshTokenColumns = [
  'id',
  'family_id',
  'session_id',
  'client_id',
  'secret_hash',
  'scope',
  'created_at_ms',
  'idle_expires_at_ms',
  'family_expires_at_ms',
  'used_at_ms',
  'successor_id',
] as const satisfies readonly (keyof RefreshTokensTable)[];

/** Statements on the writer connection, for use inside a transaction only (see above). */
export function sqliteTransactionPaths(db: Kysely<Database>, writer: DatabaseSync): SqliteTransactionPaths {
  const sessionWithUser = sessionWithUserLookup(db, writer);
  const findToken = statement(writer, db.selectFrom('refresh_tokens').selectAll().where('id', '=', placeholder('id')).compile(), ['id']);
  const markUsed = statement(
    writer,
    db
      .updateTable('refresh_tokens')
      .set({ used_at_ms: placeholder('used_at_ms') as unknown as number, successor_id: placeholder('successor_id') })
      .where('id', '=', placeholder('id'))
      .where('used_at_ms', 'is', null)
      .compile(),
    ['used_at_ms', 'successor_id', 'id'],
  );
  const insertToken = statement(
    writer,
    db
      .insertInto('refresh_tokens')
      .values(Object.fromEntries(refreshTokenColumns.map((column) => [column, placeholder(column)])) as unknown as RefreshTokensTable)
      .compile(),
    refreshTokenColumns,
  );
  const touch = statement(
    writer,
    db.updateTable('sessions').set({ last_seen_at_ms: placeholder('last_seen_at_ms') as unknown as number }).where('id', '=', placeholder('id')).compile(),
    ['last_seen_at_ms', 'id'],
  );
  const savepoints = {
    savepoint: plain(writer, 'SAVEPOINT group_member'),
    release: plain(writer, 'RELEASE SAVEPOINT group_member'),
    'rollback to': plain(writer, 'ROLLBACK TO SAVEPOINT group_member'),
  };
  return {
    savepoint: async (statement) => {
      savepoints[statement]();
    },
    refreshTokens: {
      findById: async (id) => {
        const row = findToken.get({ id }) as RefreshTokensTable | undefined;
        return row === undefined ? null : toRecord(row);
      },
      markUsed: async (id, usedAtMs, successorId) => markUsed.run({ used_at_ms: usedAtMs, successor_id: successorId, id }) === 1,
      insert: async (token) => {
        insertToken.run(toRow(token) as unknown as Record<(typeof refreshTokenColumns)[number], SQLInputValue>);
      },
    },
    findSessionWithUser: async (id) => sessionWithUser(id),
    touchSession: async (id, lastSeenAtMs) => {
      touch.run({ last_seen_at_ms: lastSeenAtMs, id });
    },
  };
}
