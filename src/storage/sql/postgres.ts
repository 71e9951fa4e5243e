import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Client, RefreshTokenRecord, RefreshTokenWithSession, SessionWithUser, Store } from '../../core/ports.ts';
import { migrateToLatest, type MigrationReport } from './migrate.ts';
import { classifyPostgresError, isPostgresRetryable, isPostgresUnavailable } from './postgres-errors.ts';
import { pipelinedStatements } from './postgres-pipeline.ts';
import { clientQueries, toClient } from './repositories/clients.ts';
import { refreshTokenColumns, refreshTokenQueries, refreshTokenWithSessionFromValues, toRow } from './repositories/refresh-tokens.ts';
import { sessionQueries } from './repositories/sessions.ts';
import { sessionWithUserFromValues } from './rows.ts';
import type { ClientsTable, Database, RefreshTokensTable } from './schema.ts';
import { createSqlStore } from './sql-store.ts';
import { parameterOrder, placeholder } from './sqlite-statements.ts';

export interface PostgresPoolOptions {
  /**
   * Connections at most; requests beyond wait for one (up to `connectTimeoutMs`). From three on,
   * one of them is the pipelined connection of the hot reads, and from four on another is that of
   * the refresh grant's rotation (postgres-pipeline.ts).
   */
  maxConnections: number;
  /** How long to wait for a connection (a new one, or a free one from a busy pool) before answering 503. */
  connectTimeoutMs: number;
  /** Server-side limit for one statement; a statement cut off is answered with 503. */
  statementTimeoutMs: number;
  /** An idle connection is closed after this long. */
  idleTimeoutMs: number;
}

export const defaultPostgresPoolOptions: PostgresPoolOptions = { maxConnections: 10, connectTimeoutMs: 5_000, statementTimeoutMs: 10_000, idleTimeoutMs: 30_000 };

export interface OpenPostgresOptions {
  /** Run pending migrations before returning (the server does; `gatehouse migrate` does it explicitly). */
  migrate: 'on-open' | 'never';
  pool?: Partial<PostgresPoolOptions>;
  /** Told about a connection the pool lost while idle (the server restarted): for a warning in the logs. */
  onConnectionError?: (error: Error) => void;
}

export interface PostgresPoolUse {
  /** Open connections, busy or idle. */
  total: number;
  idle: number;
  /** Requests waiting for a connection. */
  waiting: number;
  max: number;
}

export interface PostgresStore extends Store {
  db: Kysely<Database>;
  poolUse(): PostgresPoolUse;
  /** Applies pending migrations under PostgreSQL's advisory lock (kysely's Migrator takes it). */
  migrate(): Promise<MigrationReport>;
}

/**
 * The pool as kysely sees it, with every driver failure that means "PostgreSQL cannot be
 * reached" turned into StorageUnavailableError (so the HTTP layer answers 503 and fails closed),
 * and a connection that failed that way thrown away rather than reused.
 */
function guardedPool(pool: pg.Pool, preparedNames: ReadonlyMap<string, string>): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let broken: Error | undefined;
    // kysely calls query(sql, parameters): a statement named in `preparedNames` goes as a named
    // (server-side prepared) statement instead, parsed and planned once per connection.
    const send = (args: unknown[]): Promise<unknown> => {
      const [text, values] = args;
      const name = typeof text === 'string' && args.length === 2 ? preparedNames.get(text) : undefined;
      return name === undefined ? (client.query as (...a: unknown[]) => Promise<unknown>)(...args) : client.query({ name, text: text as string, values: values as unknown[] });
    };
    const wrapper = {
      query: (...args: unknown[]) =>
        send(args).catch((error: unknown) => {
          if (isPostgresUnavailable(error)) broken = error as Error;
          return classifyPostgresError(error);
        }),
      release: (destroy?: boolean) => {
        const reason = broken ?? (destroy === true ? new Error('discarded') : undefined);
        broken = undefined;
        client.release(reason);
      },
    } as unknown as PostgresPoolClient;
    return wrapper;
  };
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        return classifyPostgresError(error);
      }
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

/**
 * Opens a PostgreSQL database through a connection pool. The same kysely repositories as SQLite
 * serve it; transactions run at READ COMMITTED, where every check-and-set the storage contract
 * relies on is one conditional statement (the throttle compare-and-set, `markUsed ... WHERE
 * used_at_ms IS NULL`), which PostgreSQL re-checks against the latest row after waiting for a
 * concurrent writer's row lock, so exactly one of two racing writers wins. A transaction that
 * fails with a serialization failure or deadlock is run again. Revocation entries are appended
 * under an advisory lock so the feed's order is the commit order (see repositories/revocations.ts).
 *
 * @example
 * const store = await openPostgresStore('postgres://gatehouse@db/gatehouse', { migrate: 'on-open' });
 */
export async function openPostgresStore(url: string, options: OpenPostgresOptions): Promise<PostgresStore> {
  const poolOptions = { ...defaultPostgresPoolOptions, ...options.pool };
  const connection = {
    connectionString: url,
    connectionTimeoutMillis: poolOptions.connectTimeoutMs,
    statement_timeout: poolOptions.statementTimeoutMs,
    // A server that stops answering (a network partition) is noticed on the client side too.
    query_timeout: poolOptions.statementTimeoutMs + 2_000,
    keepAlive: true,
    application_name: 'gatehouse',
  };
  // Of `maxConnections`, one serves the pipelined reads (postgres-pipeline.ts) once there are
  // three or more, and another the refresh grant's rotation once there are four or more; the
  // rest are the pool.
  const pipelined = poolOptions.maxConnections >= 3 ? pipelinedStatements(connection) : null;
  const pipelinedWrites = poolOptions.maxConnections >= 4 ? pipelinedStatements(connection) : null;
  const pool = new pg.Pool({ ...connection, max: poolOptions.maxConnections - (pipelined === null ? 0 : 1) - (pipelinedWrites === null ? 0 : 1), idleTimeoutMillis: poolOptions.idleTimeoutMs });
  // Without a listener, an idle connection dropped by a restarting server would crash the process.
  pool.on('error', (error) => options.onConnectionError?.(error));
  // The refresh grant's statements and the client lookup, by their SQL text (filled below): sent
  // as named prepared statements, so PostgreSQL parses and plans each once per connection.
  const preparedNames = new Map<string, string>();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: guardedPool(pool, preparedNames) }) });
  const migrate = (): Promise<MigrationReport> => migrateToLatest(db);
  try {
    if (options.migrate === 'on-open') await migrate();
  } catch (error) {
    await db.destroy().catch(() => undefined);
    // The migrator wraps the driver's error: an unreachable server is still a 503, not a crash report.
    const cause = (error as { cause?: unknown }).cause;
    if (isPostgresUnavailable(error) || isPostgresUnavailable(cause)) classifyPostgresError(isPostgresUnavailable(error) ? error : cause);
    throw error;
  }

  const sample: RefreshTokenRecord = {
    id: '',
    familyId: '',
    sessionId: '',
    clientId: '',
    secretHash: new Uint8Array(),
    scope: '',
    createdAtMs: 0,
    idleExpiresAtMs: 0,
    familyExpiresAtMs: 0,
    usedAtMs: null,
    successorId: null,
    dpopJkt: null,
    openIdLogin: null,
  };
  const hotStatements = {
    find_refresh_token: refreshTokenQueries.findById(db, ''),
    find_refresh_token_with_session_tx: refreshTokenQueries.findWithSession(db, ''),
    mark_refresh_token_used: refreshTokenQueries.markUsed(db, '', 0, ''),
    insert_refresh_token: refreshTokenQueries.insert(db, toRow(sample)),
    find_session_with_user_tx: sessionQueries.findWithUser(db, ''),
    touch_session: sessionQueries.touch(db, '', 0),
    find_client: clientQueries.findById(db, ''),
  };
  for (const [name, query] of Object.entries(hotStatements)) preparedNames.set(query.compile().sql, `gatehouse_${name}`);
  preparedNames.set(refreshTokenQueries.rotatePostgres('', 0, toRow(sample)).compile(db).sql, 'gatehouse_rotate_refresh_token');

  // The hot reads outside transactions (the session check; the token endpoint's client lookup and
  // the refresh grant's read): one named (server-side prepared) statement each, per connection,
  // with no query building on every request; the token endpoint's two on the pipelined connection.
  const byId = <Row>(name: string, sql: string, on: 'pool' | 'pipeline', rowMode?: 'array') => {
    const query = { name: `gatehouse_${name}`, text: sql, ...(rowMode === undefined ? {} : { rowMode }) };
    if (on === 'pipeline' && pipelined !== null) return async (id: string): Promise<Row | undefined> => (await pipelined.rows<Row>({ ...query, values: [id] }))[0];
    return async (id: string): Promise<Row | undefined> => {
      try {
        return (await pool.query({ ...query, values: [id] } as pg.QueryConfig)).rows[0] as Row | undefined;
      } catch (error) {
        return classifyPostgresError(error);
      }
    };
  };
  const sessionWithUserValues = byId<unknown[]>('find_session_with_user', sessionQueries.findWithUser(db, '').compile().sql, 'pipeline', 'array');
  const tokenWithSessionValues = byId<unknown[]>('find_refresh_token_with_session', refreshTokenQueries.findWithSession(db, '').compile().sql, 'pipeline', 'array');
  const clientRow = byId<ClientsTable>('find_client_direct', clientQueries.findById(db, '').compile().sql, 'pipeline');
  const findSessionWithUser = async (id: string): Promise<SessionWithUser | null> => {
    const values = await sessionWithUserValues(id);
    return values === undefined ? null : sessionWithUserFromValues(values);
  };
  const findTokenWithSession = async (id: string): Promise<RefreshTokenWithSession | null> => {
    const values = await tokenWithSessionValues(id);
    return values === undefined ? null : refreshTokenWithSessionFromValues(values);
  };
  const findClient = async (id: string): Promise<Client | null> => {
    const row = await clientRow(id);
    return row === undefined ? null : toClient(row);
  };
  // The refresh grant's write outside a transaction: the rotation's one statement (atomic on its
  // own, so no BEGIN and COMMIT; committed at its Sync, before pg answers), on the pipelined
  // write connection (postgres-pipeline.ts: no transaction ever waits on it) or else the pool;
  // the same SQL and name as kysely's.
  const successorKeys = refreshTokenColumns.map((column) => `successor_${column}` as const);
  const rotation = refreshTokenQueries
    .rotatePostgres(placeholder('id'), placeholder('used_at_ms') as unknown as number, Object.fromEntries(refreshTokenColumns.map((column, i) => [column, placeholder(successorKeys[i] as string)])) as unknown as RefreshTokensTable)
    .compile(db);
  const rotationOrder = parameterOrder(rotation, ['id', 'used_at_ms', ...successorKeys]);
  const rotate = async (id: string, usedAtMs: number, successor: RefreshTokenRecord): Promise<boolean> => {
    const row = toRow(successor);
    const named: Record<string, unknown> = { id, used_at_ms: usedAtMs };
    refreshTokenColumns.forEach((column, i) => {
      named[successorKeys[i] as string] = row[column];
    });
    const query = { name: 'gatehouse_rotate_refresh_token', text: rotation.sql, values: rotationOrder.map((key) => named[key]) };
    if (pipelinedWrites !== null) return (await pipelinedWrites.run(query)).rowCount === 1;
    try {
      return (await pool.query(query)).rowCount === 1;
    } catch (error) {
      return classifyPostgresError(error);
    }
  };

  const pipelinedOpen = (): number => (pipelined?.connected() === true ? 1 : 0) + (pipelinedWrites?.connected() === true ? 1 : 0);
  const poolUse = (): PostgresPoolUse => ({ total: pool.totalCount + pipelinedOpen(), idle: pool.idleCount, waiting: pool.waitingCount, max: poolOptions.maxConnections });
  const store = createSqlStore(db, {
    fastPaths: {
      outsideTransaction: { sessions: { findWithUser: findSessionWithUser }, refreshTokens: { findWithSession: findTokenWithSession, rotate }, clients: { findById: findClient } },
    },
    ping: async () => {
      try {
        await pool.query('SELECT 1');
      } catch (error) {
        classifyPostgresError(error);
      }
    },
    close: async () => {
      await Promise.all([pipelined?.close(), pipelinedWrites?.close()]);
      await db.destroy();
    },
    isRetryable: isPostgresRetryable,
    describe: () => ({ database: 'postgresql', pool: poolUse() }),
  });
  return Object.assign(store, { db, poolUse, migrate });
}
