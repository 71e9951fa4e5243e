import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AuditEvent, AuditEventType, Session, SessionWithUser, Store, User } from '../../core/ports.ts';
import { nextThrottleState, remainingLockMs } from '../../core/throttle/throttle.ts';
import type { Database, SessionsTable, UsersTable } from './schema.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Compare-and-set rounds before reserve gives up and fails closed for a second. */
const maxReserveAttempts = 8;

export const sessionWithUserColumns = [
  'sessions.id as s_id',
  'sessions.user_id as s_user_id',
  'sessions.secret_hash as s_secret_hash',
  'sessions.created_at_ms as s_created_at_ms',
  'sessions.last_seen_at_ms as s_last_seen_at_ms',
  'sessions.expires_at_ms as s_expires_at_ms',
  'sessions.user_agent as s_user_agent',
  'sessions.ip as s_ip',
  'users.id as u_id',
  'users.email as u_email',
  'users.password_hash as u_password_hash',
  'users.created_at_ms as u_created_at_ms',
  'users.updated_at_ms as u_updated_at_ms',
  'users.disabled_at_ms as u_disabled_at_ms',
] as const;

export type SessionWithUserRow = Record<(typeof sessionWithUserColumns)[number] extends `${string} as ${infer A}` ? A : never, unknown>;

// PostgreSQL returns bigint columns as strings; SQLite as numbers. Number() serves both.
const ms = (value: unknown): number => Number(value);
const msOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

export function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    createdAtMs: ms(row.created_at_ms),
    updatedAtMs: ms(row.updated_at_ms),
    disabledAtMs: msOrNull(row.disabled_at_ms),
  };
}

export function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    secretHash: new Uint8Array(row.secret_hash),
    createdAtMs: ms(row.created_at_ms),
    lastSeenAtMs: ms(row.last_seen_at_ms),
    expiresAtMs: ms(row.expires_at_ms),
    userAgent: row.user_agent,
    ip: row.ip,
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

function toAudit(row: Selectable<Database['audit']>): AuditEvent {
  return {
    id: row.id,
    atMs: ms(row.at_ms),
    type: row.type as AuditEventType,
    userId: row.user_id,
    email: row.email,
    ip: row.ip,
    userAgent: row.user_agent,
    detail: row.detail,
  };
}

/** True only for a violation of the unique email constraint (not, say, a repeated primary key). */
function isEmailUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; errcode?: number; message?: string };
  // PostgreSQL: 23505 with the constraint name; node:sqlite: SQLITE_CONSTRAINT_UNIQUE (2067) naming the column.
  if (e.code === '23505') return e.constraint === 'users_email_key';
  return e.errcode === 2067 && /users\.email/.test(e.message ?? '');
}

export interface SqlStoreOptions {
  /** A faster lookup for the session check, when the dialect has one (SQLite: a cached prepared statement). */
  findSessionWithUser?: (id: string) => Promise<SessionWithUser | null>;
  ping: () => Promise<void>;
  close: () => Promise<void>;
}

/** The storage ports over kysely: the same code serves SQLite and PostgreSQL. */
export function createSqlStore(db: Db, options: SqlStoreOptions): Store {
  const store: Store = {
    users: {
      async create(user) {
        try {
          await db
            .insertInto('users')
            .values({
              id: user.id,
              email: user.email,
              password_hash: user.passwordHash,
              created_at_ms: user.createdAtMs,
              updated_at_ms: user.updatedAtMs,
              disabled_at_ms: user.disabledAtMs,
            })
            .execute();
          return 'created';
        } catch (error) {
          if (isEmailUniqueViolation(error)) return 'email_taken';
          throw error;
        }
      },
      async findById(id) {
        const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
        return row === undefined ? null : toUser(row);
      },
      async findByEmail(email) {
        const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
        return row === undefined ? null : toUser(row);
      },
      async updatePasswordHash(id, passwordHash, nowMs) {
        await db.updateTable('users').set({ password_hash: passwordHash, updated_at_ms: nowMs }).where('id', '=', id).execute();
      },
      async setDisabledAt(id, disabledAtMs, nowMs) {
        const result = await db
          .updateTable('users')
          .set({ disabled_at_ms: disabledAtMs, updated_at_ms: nowMs })
          .where('id', '=', id)
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0;
      },
      async delete(id) {
        await db.deleteFrom('sessions').where('user_id', '=', id).execute();
        const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      },
      async list({ limit, afterEmail }) {
        let query = db.selectFrom('users').selectAll().orderBy('email').limit(limit);
        if (afterEmail !== undefined) query = query.where('email', '>', afterEmail);
        return (await query.execute()).map(toUser);
      },
    },
    sessions: {
      async create(session) {
        await db
          .insertInto('sessions')
          .values({
            id: session.id,
            user_id: session.userId,
            secret_hash: session.secretHash,
            created_at_ms: session.createdAtMs,
            last_seen_at_ms: session.lastSeenAtMs,
            expires_at_ms: session.expiresAtMs,
            user_agent: session.userAgent,
            ip: session.ip,
          })
          .execute();
      },
      async findWithUser(id) {
        if (options.findSessionWithUser !== undefined) return options.findSessionWithUser(id);
        const row = await db
          .selectFrom('sessions')
          .innerJoin('users', 'users.id', 'sessions.user_id')
          .select(sessionWithUserColumns)
          .where('sessions.id', '=', id)
          .executeTakeFirst();
        return row === undefined ? null : toSessionWithUser(row as SessionWithUserRow);
      },
      async touch(id, lastSeenAtMs) {
        await db.updateTable('sessions').set({ last_seen_at_ms: lastSeenAtMs }).where('id', '=', id).execute();
      },
      async listByUser(userId) {
        return (await db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute()).map(toSession);
      },
      async delete(id) {
        const result = await db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      },
      async deleteByUser(userId, exceptId) {
        let query = db.deleteFrom('sessions').where('user_id', '=', userId);
        if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
        return (await query.returning('id').execute()).map((r) => r.id);
      },
      async deleteExpired(nowMs, idleTimeoutMs) {
        const result = await db
          .deleteFrom('sessions')
          .where((eb) => eb.or([eb('expires_at_ms', '<=', nowMs), eb('last_seen_at_ms', '<=', nowMs - idleTimeoutMs)]))
          .executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    },
    throttle: {
      async get(key) {
        const row = await db.selectFrom('throttle').selectAll().where('key', '=', key).executeTakeFirst();
        return row === undefined ? null : { failures: Number(row.failures), lastFailureAtMs: ms(row.last_failure_at_ms) };
      },
      async recordFailure(key, nowMs, resetAfterMs) {
        // One statement, so concurrent failures on one key never lose a count.
        const row = await db
          .insertInto('throttle')
          .values({ key, failures: 1, last_failure_at_ms: nowMs })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({
              failures: eb
                .case()
                .when('throttle.last_failure_at_ms', '<', nowMs - resetAfterMs)
                .then(1)
                .else(eb('throttle.failures', '+', 1))
                .end(),
              last_failure_at_ms: nowMs,
            })),
          )
          .returning(['failures', 'last_failure_at_ms'])
          .executeTakeFirstOrThrow();
        return { failures: Number(row.failures), lastFailureAtMs: ms(row.last_failure_at_ms) };
      },
      async reserve(key, nowMs, rule) {
        // Optimistic compare-and-set, no transaction: read, decide, then write only if the row is
        // still what was read (each statement is atomic on its own). A lost race reads again.
        // This holds across processes and connections (two servers on one SQLite file, or many
        // on PostgreSQL) without holding a lock across the decision.
        for (let attempt = 0; attempt < maxReserveAttempts; attempt++) {
          const before = await store.throttle.get(key);
          const waitMs = remainingLockMs(before, rule, nowMs);
          if (waitMs > 0) return { allowed: false, waitMs };
          const after = nextThrottleState(before, rule, nowMs);
          const result =
            before === null
              ? await db
                  .insertInto('throttle')
                  .values({ key, failures: after.failures, last_failure_at_ms: after.lastFailureAtMs })
                  .onConflict((oc) => oc.column('key').doNothing())
                  .executeTakeFirst()
              : await db
                  .updateTable('throttle')
                  .set({ failures: after.failures, last_failure_at_ms: after.lastFailureAtMs })
                  .where('key', '=', key)
                  .where('failures', '=', before.failures)
                  .where('last_failure_at_ms', '=', before.lastFailureAtMs)
                  .executeTakeFirst();
          const changed = 'numInsertedOrUpdatedRows' in result ? result.numInsertedOrUpdatedRows : result.numUpdatedRows;
          if (Number(changed ?? 0) === 1) return { allowed: true, before, after };
        }
        // Extreme contention on one key: fail closed for a moment rather than let it through.
        return { allowed: false, waitMs: 1000 };
      },
      async refund(key, { before, after }) {
        const restored =
          before === null
            ? await db
                .deleteFrom('throttle')
                .where('key', '=', key)
                .where('failures', '=', after.failures)
                .where('last_failure_at_ms', '=', after.lastFailureAtMs)
                .executeTakeFirst()
            : await db
                .updateTable('throttle')
                .set({ failures: before.failures, last_failure_at_ms: before.lastFailureAtMs })
                .where('key', '=', key)
                .where('failures', '=', after.failures)
                .where('last_failure_at_ms', '=', after.lastFailureAtMs)
                .executeTakeFirst();
        const done = 'numDeletedRows' in restored ? restored.numDeletedRows : restored.numUpdatedRows;
        if (Number(done) === 1) return;
        // Other attempts came in since: only take this one back.
        await db
          .updateTable('throttle')
          .set((eb) => ({ failures: eb.case().when('failures', '>', 0).then(eb('failures', '-', 1)).else(0).end() }))
          .where('key', '=', key)
          .execute();
      },
      async clear(key) {
        await db.deleteFrom('throttle').where('key', '=', key).execute();
      },
      async deleteStale(nowMs, resetAfterMs) {
        const result = await db.deleteFrom('throttle').where('last_failure_at_ms', '<', nowMs - resetAfterMs).executeTakeFirst();
        return Number(result.numDeletedRows);
      },
    },
    audit: {
      async append(event) {
        await db
          .insertInto('audit')
          .values({
            id: event.id,
            at_ms: event.atMs,
            type: event.type,
            user_id: event.userId,
            email: event.email,
            ip: event.ip,
            user_agent: event.userAgent,
            detail: event.detail,
          })
          .execute();
      },
      async list({ limit, userId }) {
        let query = db.selectFrom('audit').selectAll().orderBy('at_ms', 'desc').orderBy('id').limit(limit);
        if (userId !== undefined) query = query.where('user_id', '=', userId);
        return (await query.execute()).map(toAudit);
      },
    },
    transaction<T>(work: (tx: Store) => Promise<T>): Promise<T> {
      if (db.isTransaction) return work(store);
      return (db as Kysely<Database>).transaction().execute((trx) => work(createSqlStore(trx, { ...options, findSessionWithUser: undefined })));
    },
    ping: options.ping,
    close: options.close,
  };
  return store;
}
