import type { RefreshTokenStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, findCopy, insertRow, type MemoryDb } from './tables.ts';

export function memoryRefreshTokens(db: MemoryDb): RefreshTokenStore {
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
    async markUsed(id, usedAtMs, successorId) {
      const t = db.tables.refreshTokens.get(id);
      if (t === undefined || t.usedAtMs !== null) return false;
      db.tables.refreshTokens.set(id, { ...t, usedAtMs, successorId });
      return true;
    },
    async rotate(id, usedAtMs, successor) {
      if (!(await store.markUsed(id, usedAtMs, successor.id))) return false;
      await store.insert(successor);
      return true;
    },
    async deleteFamily(familyId) {
      return deleteWhere(db.tables.refreshTokens, (t) => t.familyId === familyId);
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
