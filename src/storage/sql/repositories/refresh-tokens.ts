import { PostgresAdapter, sql, type Selectable } from 'kysely';
import type { RefreshTokenRecord, RefreshTokenStore, RefreshTokenWithSession } from '../../../core/ports.ts';
import { ms, msOrNull, rowFromValues, sessionWithUserColumns, sessionWithUserFromValues, toSessionWithUser, type Db, type SessionWithUserRow } from '../rows.ts';
import type { RefreshTokensTable } from '../schema.ts';

/** Every column, in the order the fast paths bind and read them. */
export const refreshTokenColumns = [
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
  'dpop_jkt',
  'login_auth_time_ms',
  'login_acr',
  'login_amr',
] as const satisfies readonly (keyof RefreshTokensTable)[];
// Every column named above: a column added to the table and not here fails to compile.
const everyColumn: Exclude<keyof RefreshTokensTable, (typeof refreshTokenColumns)[number]> extends never ? true : never = true;
void everyColumn;

export function toRecord(row: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    id: row.id,
    familyId: row.family_id,
    sessionId: row.session_id,
    clientId: row.client_id,
    secretHash: new Uint8Array(row.secret_hash),
    scope: row.scope,
    createdAtMs: ms(row.created_at_ms),
    idleExpiresAtMs: ms(row.idle_expires_at_ms),
    familyExpiresAtMs: ms(row.family_expires_at_ms),
    usedAtMs: msOrNull(row.used_at_ms),
    successorId: row.successor_id,
    dpopJkt: row.dpop_jkt,
    openIdLogin:
      row.login_auth_time_ms === null ? null : { authTimeMs: ms(row.login_auth_time_ms), acr: row.login_acr, amr: (row.login_amr ?? '').split(' ').filter((m) => m !== '') },
  };
}

export function toRow(token: RefreshTokenRecord): RefreshTokensTable {
  return {
    id: token.id,
    family_id: token.familyId,
    session_id: token.sessionId,
    client_id: token.clientId,
    secret_hash: token.secretHash,
    scope: token.scope,
    created_at_ms: token.createdAtMs,
    idle_expires_at_ms: token.idleExpiresAtMs,
    family_expires_at_ms: token.familyExpiresAtMs,
    used_at_ms: token.usedAtMs,
    successor_id: token.successorId,
    dpop_jkt: token.dpopJkt,
    login_auth_time_ms: token.openIdLogin?.authTimeMs ?? null,
    login_acr: token.openIdLogin?.acr ?? null,
    login_amr: token.openIdLogin === null ? null : token.openIdLogin.amr.join(' '),
  };
}

/** A findWithSession row: the token's columns (as named), then the session's and user's (`s_`, `u_`; null without a session). */
function toWithSession(row: Selectable<RefreshTokensTable> & SessionWithUserRow): RefreshTokenWithSession {
  return { token: toRecord(row), current: row.s_id === null ? null : toSessionWithUser(row) };
}

/** The same from a row read as an array (refreshTokenColumns, then sessionWithUserColumns), as the fast paths read it. */
export function refreshTokenWithSessionFromValues(values: readonly unknown[]): RefreshTokenWithSession {
  const sessionAt = refreshTokenColumns.length;
  return {
    token: toRecord(rowFromValues<Selectable<RefreshTokensTable>>(refreshTokenColumns, values)),
    current: values[sessionAt] === null ? null : sessionWithUserFromValues(values, sessionAt),
  };
}

/** The refresh grant's statements, which the dialects' fast paths also run (prepared once, sqlite.ts and postgres.ts): written once, here. */
export const refreshTokenQueries = {
  insert: (db: Db, row: RefreshTokensTable) => db.insertInto('refresh_tokens').values(row),
  findById: (db: Db, id: string) => db.selectFrom('refresh_tokens').selectAll().where('id', '=', id),
  /** The refresh grant's one read: the token, its session and the session's user, by the token's primary key. */
  findWithSession: (db: Db, id: string) =>
    db
      .selectFrom('refresh_tokens')
      .leftJoin('sessions', 'sessions.id', 'refresh_tokens.session_id')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select([...refreshTokenColumns.map((column) => `refresh_tokens.${column}` as const), ...sessionWithUserColumns])
      .where('refresh_tokens.id', '=', id),
  /** Only while unused: of two racing rotations, one updates the row and the other finds it used. */
  markUsed: (db: Db, id: string, usedAtMs: number, successorId: string) =>
    db.updateTable('refresh_tokens').set({ used_at_ms: usedAtMs, successor_id: successorId }).where('id', '=', id).where('used_at_ms', 'is', null),
  /**
   * PostgreSQL: markUsed and the successor's insert in one statement (a data-modifying CTE); the
   * insert happens only when the update found the token unused. The parameters are cast, since
   * PostgreSQL does not infer their types from the target columns through a SELECT.
   */
  rotatePostgres: (id: string, usedAtMs: number, s: RefreshTokensTable) =>
    sql`WITH used AS (UPDATE refresh_tokens SET used_at_ms = ${usedAtMs}::bigint, successor_id = ${s.id}::text WHERE id = ${id}::text AND used_at_ms IS NULL RETURNING id) INSERT INTO refresh_tokens (id, family_id, session_id, client_id, secret_hash, scope, created_at_ms, idle_expires_at_ms, family_expires_at_ms, used_at_ms, successor_id, dpop_jkt, login_auth_time_ms, login_acr, login_amr) SELECT ${s.id}::text, ${s.family_id}::text, ${s.session_id}::text, ${s.client_id}::text, ${s.secret_hash}::bytea, ${s.scope}::text, ${s.created_at_ms}::bigint, ${s.idle_expires_at_ms}::bigint, ${s.family_expires_at_ms}::bigint, ${s.used_at_ms}::bigint, ${s.successor_id}::text, ${s.dpop_jkt}::text, ${s.login_auth_time_ms}::bigint, ${s.login_acr}::text, ${s.login_amr}::text FROM used`,
};

/** Refresh tokens over kysely. */
export function sqlRefreshTokens(db: Db): RefreshTokenStore {
  const store: RefreshTokenStore = {
    async insert(token) {
      await refreshTokenQueries.insert(db, toRow(token)).execute();
    },
    async findById(id) {
      const row = await refreshTokenQueries.findById(db, id).executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },
    async findWithSession(id) {
      const row = await refreshTokenQueries.findWithSession(db, id).executeTakeFirst();
      return row === undefined ? null : toWithSession(row as Selectable<RefreshTokensTable> & SessionWithUserRow);
    },
    async markUsed(id, usedAtMs, successorId) {
      const result = await refreshTokenQueries.markUsed(db, id, usedAtMs, successorId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async rotate(id, usedAtMs, successor) {
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        const result = await refreshTokenQueries.rotatePostgres(id, usedAtMs, toRow(successor)).execute(db);
        return Number(result.numAffectedRows ?? 0n) === 1;
      }
      if (!(await store.markUsed(id, usedAtMs, successor.id))) return false;
      await store.insert(successor);
      return true;
    },
    async deleteFamily(sessionId, familyId) {
      const result = await db.deleteFrom('refresh_tokens').where('session_id', '=', sessionId).where('family_id', '=', familyId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteForClient(sessionIds, clientId) {
      if (sessionIds.length === 0) return 0;
      const result = await db.deleteFrom('refresh_tokens').where('client_id', '=', clientId).where('session_id', 'in', [...sessionIds]).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(nowMs) {
      const result = await db
        .deleteFrom('refresh_tokens')
        .where((eb) => eb.or([eb('family_expires_at_ms', '<=', nowMs), eb('idle_expires_at_ms', '<=', nowMs)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  return store;
}
