import type { RefreshTokenStore } from '../../core/ports.ts';
import { memorySessions } from './sessions.ts';
import { copyBytes, deleteWhere, findCopy, insertRow, type MemoryDb } from './tables.ts';

export function memoryRefreshTokens(db: MemoryDb): RefreshTokenStore {
  const sessions = memorySessions(db);
  const store: RefreshTokenStore = {
    async insert(token) {
      insertRow(db.tables.refreshTokens, token.id, copyBytes(token), {
        duplicate: 'duplicate refresh token id',
        parent: { table: db.tables.sessions, key: token.sessionId, missing: 'refresh token for unknown session' },
      });
    },
    async findById(id) {
      return findCopy(db.tables.refreshTokens, id, copyBytes);
    },
    async findWithSession(id) {
      const token = findCopy(db.tables.refreshTokens, id, copyBytes);
      if (token === null) return null;
      return { token, current: await sessions.findWithUser(token.sessionId) };
    },
    async markUsed(id, usedAtMs, successorId) {
      const t = db.tables.refreshTokens.get(id);
      if (t === undefined || t.usedAtMs !== null) return false;
      db.tables.refreshTokens.set(id, { ...t, usedAtMs, successorId });
      return true;
    },
    // Atomic without a transaction: nothing is awaited between the checks and the writes, and the
    // successor is stored (which may throw: unknown session, duplicate id) before the mark.
    async rotate(id, usedAtMs, successor) {
      const t = db.tables.refreshTokens.get(id);
      if (t === undefined || t.usedAtMs !== null) return false;
      insertRow(db.tables.refreshTokens, successor.id, copyBytes(successor), {
        duplicate: 'duplicate refresh token id',
        parent: { table: db.tables.sessions, key: successor.sessionId, missing: 'refresh token for unknown session' },
      });
      db.tables.refreshTokens.set(id, { ...t, usedAtMs, successorId: successor.id });
      return true;
    },
    async deleteFamily(sessionId, familyId) {
      return deleteWhere(db.tables.refreshTokens, (t) => t.sessionId === sessionId && t.familyId === familyId);
    },
    async deleteForClient(sessionIds, clientId) {
      const sessions = new Set(sessionIds);
      return deleteWhere(db.tables.refreshTokens, (t) => t.clientId === clientId && sessions.has(t.sessionId));
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.refreshTokens, (t) => t.familyExpiresAtMs <= nowMs || t.idleExpiresAtMs <= nowMs);
    },
  };
  return store;
}
