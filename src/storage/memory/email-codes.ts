import type { EmailCodeStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, findCopy, sameBytes, type MemoryDb } from './tables.ts';

export function memoryEmailCodes(db: MemoryDb): EmailCodeStore {
  return {
    async put(code) {
      if (!db.tables.users.has(code.userId)) throw new Error('email code for unknown user');
      db.tables.emailCodes.set(code.userId, copyBytes(code));
    },
    async find(userId) {
      return findCopy(db.tables.emailCodes, userId, copyBytes);
    },
    async consume(userId, codeHash) {
      const c = db.tables.emailCodes.get(userId);
      if (c === undefined || !sameBytes(c.codeHash, codeHash)) return false;
      db.tables.emailCodes.delete(userId);
      return true;
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.emailCodes, (c) => c.expiresAtMs <= nowMs);
    },
  };
}
