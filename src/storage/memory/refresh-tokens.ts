import type { RefreshTokenStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, type MemoryDb } from './tables.ts';

export function memoryRefreshTokens(db: MemoryDb): RefreshTokenStore {
  return {
    async insert(token) {
      if (db.tables.refreshTokens.has(token.id)) throw new Error('duplicate refresh token id');
      if (!db.tables.sessions.has(token.sessionId)) throw new Error('refresh token for unknown session');
      db.tables.refreshTokens.set(token.id, copyBytes(token));
    },
    async findById(id) {
      const t = db.tables.refreshTokens.get(id);
      return t === undefined ? null : copyBytes(t);
    },
    async markUsed(id, usedAtMs, successorId) {
      const t = db.tables.refreshTokens.get(id);
      if (t === undefined || t.usedAtMs !== null) return false;
      db.tables.refreshTokens.set(id, { ...t, usedAtMs, successorId });
      return true;
    },
    async deleteFamily(familyId) {
      return deleteWhere(db.tables.refreshTokens, (t) => t.familyId === familyId);
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.refreshTokens, (t) => t.familyExpiresAtMs <= nowMs || t.idleExpiresAtMs <= nowMs);
    },
  };
}
