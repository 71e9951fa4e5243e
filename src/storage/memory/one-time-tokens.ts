import type { OneTimeTokenStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, findCopy, insertRow, type MemoryDb } from './tables.ts';

export function memoryOneTimeTokens(db: MemoryDb): OneTimeTokenStore {
  return {
    async insert(token) {
      insertRow(db.tables.oneTimeTokens, token.id, copyBytes(token), {
        duplicate: 'duplicate one-time token id',
        parent: { table: db.tables.users, key: token.userId, missing: 'one-time token for unknown user' },
      });
    },
    async findById(id) {
      return findCopy(db.tables.oneTimeTokens, id, copyBytes);
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
