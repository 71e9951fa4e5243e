import type { OneTimeTokenStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, type MemoryDb } from './tables.ts';

export function memoryOneTimeTokens(db: MemoryDb): OneTimeTokenStore {
  return {
    async insert(token) {
      if (db.tables.oneTimeTokens.has(token.id)) throw new Error('duplicate one-time token id');
      if (!db.tables.users.has(token.userId)) throw new Error('one-time token for unknown user');
      db.tables.oneTimeTokens.set(token.id, copyBytes(token));
    },
    async findById(id) {
      const t = db.tables.oneTimeTokens.get(id);
      return t === undefined ? null : copyBytes(t);
    },
    async consume(id, nowMs) {
      const t = db.tables.oneTimeTokens.get(id);
      if (t === undefined || t.usedAtMs !== null || t.expiresAtMs <= nowMs) return false;
      db.tables.oneTimeTokens.set(id, { ...t, usedAtMs: nowMs });
      return true;
    },
    async deleteByUser(userId, purpose) {
      return deleteWhere(db.tables.oneTimeTokens, (t) => t.userId === userId && t.purpose === purpose);
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.oneTimeTokens, (t) => t.expiresAtMs <= nowMs);
    },
  };
}
