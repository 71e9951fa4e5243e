import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { Kysely, type CompiledQuery } from 'kysely';
import type { RefreshTokenWithSession, SessionWithUser, Store } from '../../core/ports.ts';
import type { SavepointStatement } from './group-commit.ts';
import { migrateToLatest } from './migrate.ts';
import { nodeSqliteWriter } from './node-sqlite-dialect.ts';
import { auditColumns, auditQueries, toAuditRow } from './repositories/audit.ts';
import { clientQueries, toClient } from './repositories/clients.ts';
import { passkeyQueries, passkeyWithUserFromValues, toPasskey } from './repositories/passkeys.ts';
import { throttleQueries, toThrottleState } from './repositories/throttle.ts';
import { usedPasskeyChallengeQueries } from './repositories/used-passkey-challenges.ts';
import { refreshTokenColumns, refreshTokenQueries, refreshTokenWithSessionFromValues, toRecord, toRow } from './repositories/refresh-tokens.ts';
import { sessionQueries } from './repositories/sessions.ts';
import { userQueries } from './repositories/users.ts';
import { sessionWithUserFromValues, toUser } from './rows.ts';
import type { AuditTable, ClientsTable, Database, PasskeysTable, RefreshTokensTable, UsersTable } from './schema.ts';
import { classifySqliteError } from './sqlite-errors.ts';
import { createSqlStore, mergeFastPaths, type SqlFastPaths } from './sql-store.ts';
import { sqliteOpenIdFastPaths } from './sqlite-openid-statements.ts';
import { startWalCheckpointer, type WalCheckpointer } from './sqlite-checkpointer.ts';
import { placeholder, prepared, preparedPlain } from './sqlite-statements.ts';

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

function openConnection(path: string, access: 'read-write' | 'read-only'): DatabaseSync {
  const readOnly = access === 'read-only';
  const connection = new DatabaseSync(path, { readOnly, enableForeignKeyConstraints: true });
  // WAL: readers never wait for the writer. synchronous=NORMAL in WAL mode survives a process
  // crash (kill -9) without losing a committed transaction; only an OS crash or power loss can
  // lose the last few. busy_timeout covers a CLI command writing while the server runs.
  if (!readOnly) connection.exec('PRAGMA journal_mode = WAL');
  connection.exec('PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  return connection;
}

/**
 * Every SQLite fast path, in one object: the hottest repository methods as prepared statements
 * on node:sqlite (sqlite-statements.ts), running the repositories' own queries, so each
 * statement is written once, in its repository. createSqlStore merges them over the
 * repositories in one place.
 *
 * - Outside transactions, reads on the read-only connection (the session check, the passkey
 *   login's passkey and account lookups, a throttle counter): they see committed rows only and never queue behind a write.
 * - Outside transactions, the token endpoint's reads (the client lookup, the refresh grant's
 *   token read) run on the writer while it has no transaction open, else on the reader
 *   (`committedRead`): the writer's page cache stays warm, where the reader's is dropped after
 *   every commit (8 us more per read here).
 * - Outside transactions, the refresh rotation joins the next group commit as a transaction of its own.
 * - Inside transactions, statements on the writer (the refresh grant's, the session lookup and
 *   touch; the passkey login's challenge use, counter compare-and-set and audit entry):
 *   the transaction holds kysely's lock on the writer,
 *   so nothing else runs on it between our BEGIN and COMMIT, and these statements commit or
 *   roll back with the rest of the transaction.
 */
function sqliteFastPaths(
  db: Kysely<Database>,
  reader: DatabaseSync,
  writer: DatabaseSync,
  transaction: Store['transaction'],
): SqlFastPaths & { savepoint: SavepointStatement } {
  // Rows as arrays: no per-row object of 14 named properties (~25% faster).
  const findSessionWithUserOn = (connection: DatabaseSync): ((id: string) => Promise<SessionWithUser | null>) => {
    const statement = prepared(connection, sessionQueries.findWithUser(db, placeholder('id')).compile(), ['id'], 'arrays');
    return async (id) => {
      const values = statement.get({ id }) as unknown[] | undefined;
      return values === undefined ? null : sessionWithUserFromValues(values);
    };
  };
  // The refresh grant's one read (the token, its session and user), likewise as arrays.
  const findTokenWithSessionOn = (connection: DatabaseSync): ((id: string) => Promise<RefreshTokenWithSession | null>) => {
    const statement = prepared(connection, refreshTokenQueries.findWithSession(db, placeholder('id')).compile(), ['id'], 'arrays');
    return async (id) => {
      const values = statement.get({ id }) as unknown[] | undefined;
      return values === undefined ? null : refreshTokenWithSessionFromValues(values);
    };
  };
  /**
   * Committed rows, read on the writer when no transaction is open on it, else on the reader.
   * node:sqlite runs a statement synchronously, so a read that finds the writer outside a
   * transaction runs to its end in autocommit mode, before any other code can begin one: it sees
   * exactly what is committed, like the reader, never a group's uncommitted writes.
   */
  const committedRead =
    <A, R>(onWriter: (a: A) => R, onReader: (a: A) => R) =>
    (a: A): R =>
      // A closed writer has no isTransaction to read: its statement then fails as StorageUnavailableError.
      writer.isOpen && writer.isTransaction ? onReader(a) : onWriter(a);
  /** A prepared statement on both connections, run as a committed read (above). */
  const onBoth = <K extends string>(compiled: CompiledQuery, keys: readonly K[], rows: 'objects' | 'arrays' = 'objects') => {
    const [onWriter, onReader] = [prepared(writer, compiled, keys, rows), prepared(reader, compiled, keys, rows)];
    return committedRead(
      (values: Record<K, SQLInputValue>) => onWriter.get(values),
      (values: Record<K, SQLInputValue>) => onReader.get(values),
    );
  };
  const findTokenWithSessionOnWriter = findTokenWithSessionOn(writer);
  const findClientRow = onBoth(clientQueries.findById(db, placeholder('id')).compile(), ['id']);
  const touch = prepared(writer, sessionQueries.touch(db, placeholder('id'), placeholder('last_seen_at_ms') as unknown as number).compile(), ['id', 'last_seen_at_ms']);
  const findToken = prepared(writer, refreshTokenQueries.findById(db, placeholder('id')).compile(), ['id']);
  const markUsed = prepared(
    writer,
    refreshTokenQueries.markUsed(db, placeholder('id'), placeholder('used_at_ms') as unknown as number, placeholder('successor_id')).compile(),
    ['id', 'used_at_ms', 'successor_id'],
  );
  const insertToken = prepared(
    writer,
    refreshTokenQueries.insert(db, Object.fromEntries(refreshTokenColumns.map((column) => [column, placeholder(column)])) as unknown as RefreshTokensTable).compile(),
    refreshTokenColumns,
  );
  // The passkey login's reads outside its transaction (the throttle, the passkey with its user), committed rows likewise.
  const findPasskey = onBoth(passkeyQueries.findByCredentialId(db, placeholder('credential_id')).compile(), ['credential_id']);
  const findPasskeyWithUser = onBoth(passkeyQueries.findWithUser(db, placeholder('credential_id')).compile(), ['credential_id'], 'arrays');
  const findUser = onBoth(userQueries.findById(db, placeholder('id')).compile(), ['id']);
  const throttleState = onBoth(throttleQueries.get(db, placeholder('key')).compile(), ['key']);
  const claimChallenge = prepared(
    writer,
    usedPasskeyChallengeQueries.claim(db, placeholder('challenge_hash') as unknown as Uint8Array, placeholder('expires_at_ms') as unknown as number).compile(),
    ['challenge_hash', 'expires_at_ms'],
  );
  const recordPasskeyUse = prepared(
    writer,
    passkeyQueries
      .recordUse(db, placeholder('id'), placeholder('expected_counter') as unknown as number, {
        counter: placeholder('counter') as unknown as number,
        backed_up: placeholder('backed_up') as unknown as number,
        last_used_at_ms: placeholder('last_used_at_ms') as unknown as number,
      })
      .compile(),
    ['id', 'expected_counter', 'counter', 'backed_up', 'last_used_at_ms'],
  );
  const appendAudit = prepared(
    writer,
    auditQueries.append(db, Object.fromEntries(auditColumns.map((column) => [column, placeholder(column)])) as unknown as AuditTable).compile(),
    auditColumns,
  );
  // A group-commit member's savepoint statements (group-commit.ts), without a kysely query each.
  const savepoints = {
    savepoint: preparedPlain(writer, 'SAVEPOINT group_member'),
    release: preparedPlain(writer, 'RELEASE SAVEPOINT group_member'),
    'rollback to': preparedPlain(writer, 'ROLLBACK TO SAVEPOINT group_member'),
  };
  return {
    outsideTransaction: {
      sessions: { findWithUser: findSessionWithUserOn(reader) },
      refreshTokens: {
        findWithSession: committedRead(findTokenWithSessionOnWriter, findTokenWithSessionOn(reader)),
        // Two statements on SQLite: outside a transaction, a rotation is one of its own, in the
        // next group commit (RefreshTokenStore.rotate is atomic and durable either way).
        rotate: (id, usedAtMs, successor) => transaction((tx) => tx.refreshTokens.rotate(id, usedAtMs, successor)),
      },
      clients: {
        findById: async (id) => {
          const row = findClientRow({ id }) as ClientsTable | undefined;
          return row === undefined ? null : toClient(row);
        },
      },
      users: {
        findById: async (id) => {
          const row = findUser({ id }) as UsersTable | undefined;
          return row === undefined ? null : toUser(row);
        },
      },
      throttle: {
        get: async (key) => {
          const row = throttleState({ key }) as { failures: number; last_failure_at_ms: number } | undefined;
          return row === undefined ? null : toThrottleState(row);
        },
      },
      passkeys: {
        findByCredentialId: async (credentialId) => {
          const row = findPasskey({ credential_id: credentialId }) as PasskeysTable | undefined;
          return row === undefined ? null : toPasskey(row);
        },
        findWithUser: async (credentialId) => {
          const values = findPasskeyWithUser({ credential_id: credentialId }) as unknown[] | undefined;
          return values === undefined ? null : passkeyWithUserFromValues(values);
        },
      },
    },
    inTransaction: {
      sessions: {
        findWithUser: findSessionWithUserOn(writer),
        touch: async (id, lastSeenAtMs) => {
          touch.run({ id, last_seen_at_ms: lastSeenAtMs });
        },
      },
      refreshTokens: {
        findWithSession: findTokenWithSessionOnWriter,
        findById: async (id) => {
          const row = findToken.get({ id }) as RefreshTokensTable | undefined;
          return row === undefined ? null : toRecord(row);
        },
        markUsed: async (id, usedAtMs, successorId) => markUsed.run({ id, used_at_ms: usedAtMs, successor_id: successorId }) === 1,
        insert: async (token) => {
          insertToken.run(toRow(token) as unknown as Record<(typeof refreshTokenColumns)[number], SQLInputValue>);
        },
        rotate: async (id, usedAtMs, successor) => {
          if (markUsed.run({ id, used_at_ms: usedAtMs, successor_id: successor.id }) !== 1) return false;
          insertToken.run(toRow(successor) as unknown as Record<(typeof refreshTokenColumns)[number], SQLInputValue>);
          return true;
        },
      },
      usedPasskeyChallenges: {
        claim: async (challengeHash, expiresAtMs) => claimChallenge.run({ challenge_hash: challengeHash, expires_at_ms: expiresAtMs }) === 1,
      },
      passkeys: {
        recordUse: async (id, use) =>
          recordPasskeyUse.run({ id, expected_counter: use.expectedCounter, counter: use.counter, backed_up: use.backedUp ? 1 : 0, last_used_at_ms: use.atMs }) === 1,
      },
      audit: {
        append: async (event) => {
          appendAudit.run(toAuditRow(event) as unknown as Record<(typeof auditColumns)[number], SQLInputValue>);
        },
      },
    },
    savepoint: async (statement) => {
      savepoints[statement]();
    },
  };
}

/**
 * Opens (and creates) the embedded SQLite database at `path`. Writes go through kysely on
 * one connection; the session check and the client lookup read through a second, read-only
 * connection with prepared statements, so they never queue behind a write transaction and
 * never see uncommitted rows. Inside transactions, the refresh grant's statements run as
 * prepared statements on the writer (sqliteFastPaths above).
 *
 * @example
 * const store = await openSqliteStore('./data/gatehouse.db', { migrate: 'on-open' });
 */
export async function openSqliteStore(path: string, options: OpenSqliteOptions): Promise<SqliteStore> {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const writer = openConnection(path, 'read-write');
  const writerDialect = nodeSqliteWriter(writer);
  const db = new Kysely<Database>({ dialect: writerDialect.dialect });
  if (options.migrate === 'on-open') await migrateToLatest(db);

  // An in-memory database cannot be shared between connections; it reads through the writer.
  const reader = path === ':memory:' ? writer : openConnection(path, 'read-only');
  const checkpointer = path === ':memory:' || options.checkpoints !== 'worker' ? null : startWalCheckpointer(path, writer);
  // The fast paths' transactions are the store's own (group commit), which exists only once they are built:
  // a lone refresh rotation, and a lone code insert of the code flow (sqlite-openid-statements.ts), join it.
  let grouped: Store['transaction'] | undefined;
  const { savepoint, ...fastPaths } = sqliteFastPaths(db, reader, writer, (work) => (grouped as Store['transaction'])(work));
  const openId = sqliteOpenIdFastPaths(db, reader, writer, (work) => (grouped as Store['transaction'])(work));

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
    fastPaths: mergeFastPaths(fastPaths, openId),
    groupCommit: { savepoint },
    runTransaction: writerDialect.transaction,
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
      // kysely closes the writer only if a query of its own ever ran on it.
      if (writer.isOpen) writer.close();
    },
  });
  grouped = (work) => store.transaction(work);
  return Object.assign(store, { db, connections, checkpointer, externalWrites, localTransactions: true as const });
}
