import type { Session, SessionStore } from '../../core/ports.ts';
import { deleteWhere, dropRefreshTokensOf, insertRow, type MemoryDb } from './tables.ts';

const copySession = (s: Session): Session => ({ ...s, secretHash: new Uint8Array(s.secretHash), amr: [...s.amr] });

export function memorySessions(db: MemoryDb): SessionStore {
  const dropTokens = (sessionId: string): void => dropRefreshTokensOf(db.tables, sessionId);
  return {
    async create(session) {
      insertRow(db.tables.sessions, session.id, copySession(session), {
        duplicate: 'duplicate session id',
        parent: { table: db.tables.users, key: session.userId, missing: 'session for unknown user' },
      });
    },
    async findWithUser(id) {
      const session = db.tables.sessions.get(id);
      const user = session === undefined ? undefined : db.tables.users.get(session.userId);
      return session === undefined || user === undefined ? null : { session: copySession(session), user: { ...user } };
    },
    async touch(id, lastSeenAtMs) {
      const s = db.tables.sessions.get(id);
      if (s !== undefined) db.tables.sessions.set(id, { ...s, lastSeenAtMs });
    },
    async recordAuthentication(id, authTimeMs, amr) {
      const s = db.tables.sessions.get(id);
      if (s !== undefined) db.tables.sessions.set(id, { ...s, authTimeMs, amr: [...amr] });
    },
    async listByUser(userId) {
      return [...db.tables.sessions.values()].filter((s) => s.userId === userId).map(copySession);
    },
    async delete(id) {
      dropTokens(id);
      return db.tables.sessions.delete(id);
    },
    async deleteByUser(userId, exceptId) {
      const ids = [...db.tables.sessions.values()].filter((s) => s.userId === userId && s.id !== exceptId).map((s) => s.id);
      for (const id of ids) {
        dropTokens(id);
        db.tables.sessions.delete(id);
      }
      return ids;
    },
    async listExpired(nowMs, idleTimeoutMs, limit) {
      return [...db.tables.sessions.values()]
        .filter((s) => nowMs >= s.expiresAtMs || nowMs >= s.lastSeenAtMs + idleTimeoutMs)
        .slice(0, limit)
        .map((s) => s.id);
    },
    async deleteExpired(nowMs, idleTimeoutMs) {
      return deleteWhere(db.tables.sessions, (s) => nowMs >= s.expiresAtMs || nowMs >= s.lastSeenAtMs + idleTimeoutMs, dropTokens);
    },
  };
}
