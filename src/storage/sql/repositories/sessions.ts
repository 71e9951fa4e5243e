import type { SessionStore, SessionWithUser } from '../../../core/ports.ts';
import { sessionWithUserColumns, toSession, toSessionWithUser, type Db, type SessionWithUserRow } from '../rows.ts';

/** Sessions over kysely; `findSessionWithUser` replaces the hot lookup where the dialect has a faster one. */
export function sqlSessions(db: Db, findSessionWithUser?: (id: string) => Promise<SessionWithUser | null>): SessionStore {
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
      if (findSessionWithUser !== undefined) return findSessionWithUser(id);
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
    async deleteExpired(nowMs, idleTimeoutMs) {
      const result = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at_ms', '<=', nowMs), eb('last_seen_at_ms', '<=', nowMs - idleTimeoutMs)]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
