import type { SessionStore } from '../../../core/ports.ts';
import { sessionWithUserColumns, toSession, toSessionWithUser, type Db, type SessionWithUserRow } from '../rows.ts';

/**
 * The statements a dialect's fast path also runs (prepared once, sqlite.ts and postgres.ts), so
 * each is written once, here.
 */
export const sessionQueries = {
  /** The session check: one lookup by primary key, joined with the user. */
  findWithUser: (db: Db, id: string) =>
    db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select(sessionWithUserColumns).where('sessions.id', '=', id),
  touch: (db: Db, id: string, lastSeenAtMs: number) => db.updateTable('sessions').set({ last_seen_at_ms: lastSeenAtMs }).where('id', '=', id),
};

/** Sessions over kysely. */
export function sqlSessions(db: Db): SessionStore {
  return {
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
          auth_time_ms: session.authTimeMs,
          amr: session.amr.join(' '),
        })
        .execute();
    },
    async findWithUser(id) {
      const row = await sessionQueries.findWithUser(db, id).executeTakeFirst();
      return row === undefined ? null : toSessionWithUser(row as SessionWithUserRow);
    },
    async touch(id, lastSeenAtMs) {
      await sessionQueries.touch(db, id, lastSeenAtMs).execute();
    },
    async recordAuthentication(id, authTimeMs, amr) {
      await db.updateTable('sessions').set({ auth_time_ms: authTimeMs, amr: amr.join(' ') }).where('id', '=', id).execute();
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
    async listExpired(nowMs, idleTimeoutMs, limit) {
      const rows = await db
        .selectFrom('sessions')
        .select('id')
        .where((eb) => eb.or([eb('expires_at_ms', '<=', nowMs), eb('last_seen_at_ms', '<=', nowMs - idleTimeoutMs)]))
        .limit(limit)
        .execute();
      return rows.map((row) => row.id);
    },
    async deleteExpired(nowMs, idleTimeoutMs) {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at_ms', '<=', nowMs), eb('last_seen_at_ms', '<=', nowMs - idleTimeoutMs)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
