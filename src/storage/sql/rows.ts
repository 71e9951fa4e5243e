/** Table rows to domain objects and back: shared by every SQL repository and dialect. */
import { PostgresAdapter, sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AuditEvent, AuditEventType, Session, SessionWithUser, Store, User } from '../../core/ports.ts';
import type { Database, SessionsTable, UsersTable } from './schema.ts';

/** A connection or a transaction: repositories work on either. */
export type Db = Kysely<Database> | Transaction<Database>;

/**
 * Runs `work` in a transaction (joining the caller's, if it is in one) that on PostgreSQL first
 * takes the transaction-scoped advisory lock `key`, so concurrent runs queue behind each other.
 * SQLite has one writer: the transaction alone serializes.
 */
export async function inLockedTransaction<T>(db: Db, key: bigint, work: (tx: Db) => Promise<T>): Promise<T> {
  if (!db.isTransaction) return (db as Kysely<Database>).transaction().execute((trx) => inLockedTransaction(trx, key, work));
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(${sql.lit(key.toString())})`.execute(db);
  return work(db);
}

/** The user's columns, prefixed `u_`, where a read joins the account to its row (sessions, passkeys). */
export const joinedUserColumns = [
  'users.id as u_id',
  'users.email as u_email',
  'users.password_hash as u_password_hash',
  'users.created_at_ms as u_created_at_ms',
  'users.updated_at_ms as u_updated_at_ms',
  'users.disabled_at_ms as u_disabled_at_ms',
] as const;

export const sessionWithUserColumns = [
  'sessions.id as s_id',
  'sessions.user_id as s_user_id',
  'sessions.secret_hash as s_secret_hash',
  'sessions.created_at_ms as s_created_at_ms',
  'sessions.last_seen_at_ms as s_last_seen_at_ms',
  'sessions.expires_at_ms as s_expires_at_ms',
  'sessions.user_agent as s_user_agent',
  'sessions.ip as s_ip',
  'sessions.auth_time_ms as s_auth_time_ms',
  'sessions.amr as s_amr',
  ...joinedUserColumns,
] as const;

export type SessionWithUserRow = Record<(typeof sessionWithUserColumns)[number] extends `${string} as ${infer A}` ? A : never, unknown>;

// PostgreSQL returns bigint columns as strings; SQLite as numbers. Number() serves both.
export const ms = (value: unknown): number => Number(value);
export const msOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

// The operator flag and the console activity are read by their own ports (core/operators/ports.ts).
export function toUser(row: Omit<Selectable<UsersTable>, 'operator_since_ms'>): User {
  return {
    id: row.id,
    email: row.email,
    // The column stays NOT NULL (SQLite cannot relax it without rebuilding the table that
    // sessions reference); '' stands for "no password" and never reaches the domain.
    passwordHash: row.password_hash === '' ? null : row.password_hash,
    createdAtMs: ms(row.created_at_ms),
    updatedAtMs: ms(row.updated_at_ms),
    disabledAtMs: msOrNull(row.disabled_at_ms),
  };
}

export function toSession(row: Omit<Selectable<SessionsTable>, 'console_seen_at_ms'>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    secretHash: new Uint8Array(row.secret_hash),
    createdAtMs: ms(row.created_at_ms),
    lastSeenAtMs: ms(row.last_seen_at_ms),
    expiresAtMs: ms(row.expires_at_ms),
    userAgent: row.user_agent,
    ip: row.ip,
    authTimeMs: ms(row.auth_time_ms),
    amr: row.amr === '' ? [] : row.amr.split(' '),
  };
}

export function toSessionWithUser(r: SessionWithUserRow): SessionWithUser {
  return {
    session: toSession({
      id: r.s_id as string,
      user_id: r.s_user_id as string,
      secret_hash: r.s_secret_hash as Uint8Array,
      created_at_ms: r.s_created_at_ms as number,
      last_seen_at_ms: r.s_last_seen_at_ms as number,
      expires_at_ms: r.s_expires_at_ms as number,
      user_agent: r.s_user_agent as string,
      ip: r.s_ip as string,
      auth_time_ms: r.s_auth_time_ms as number,
      amr: r.s_amr as string,
    }),
    user: toUser({
      id: r.u_id as string,
      email: r.u_email as string,
      password_hash: r.u_password_hash as string,
      created_at_ms: r.u_created_at_ms as number,
      updated_at_ms: r.u_updated_at_ms as number,
      disabled_at_ms: r.u_disabled_at_ms as number | null,
    }),
  };
}

/**
 * The names a select list gives its result columns, in order: the alias after ` as `, else the
 * column without its table (`passkeys.id` is `id`).
 */
export function resultNames(columns: readonly string[]): string[] {
  return columns.map((column) => column.split(' as ')[1] ?? (column.split('.').pop() as string));
}

/**
 * A row read as an array (SQLite's fast paths: node:sqlite then builds no object of named
 * properties per row) as the object the driver would have made, from `values[offset]` on.
 */
export function rowFromValues<Row>(names: readonly string[], values: readonly unknown[], offset = 0): Row {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < names.length; i += 1) row[names[i] as string] = values[offset + i];
  return row as Row;
}

const sessionWithUserNames = resultNames(sessionWithUserColumns);

/** The same from a row read as an array (in `sessionWithUserColumns` order, from `offset` on), as the fast paths read it. */
export function sessionWithUserFromValues(values: readonly unknown[], offset = 0): SessionWithUser {
  return toSessionWithUser(rowFromValues<SessionWithUserRow>(sessionWithUserNames, values, offset));
}

export function toAudit(row: Selectable<Database['audit']>): AuditEvent {
  return {
    id: row.id,
    atMs: ms(row.at_ms),
    type: row.type as AuditEventType,
    userId: row.user_id,
    email: row.email,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail,
    actorId: row.actor_id,
  };
}

/** True only for a violation of the unique email constraint (not, say, a repeated primary key). */
export function isEmailUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; errcode?: number; message?: string };
  // PostgreSQL: 23505 with the constraint name; node:sqlite: SQLITE_CONSTRAINT_UNIQUE (2067) naming the column.
  if (e.code === '23505') return e.constraint === 'users_email_key';
  return e.errcode === 2067 && /users\.email/.test(e.message ?? '');
}
