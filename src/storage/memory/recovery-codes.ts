import type { RecoveryCodeStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, type MemoryDb } from './tables.ts';

export function memoryRecoveryCodes(db: MemoryDb): RecoveryCodeStore {
  return {
    async replace(userId, codes) {
      if (!db.tables.users.has(userId)) throw new Error('recovery codes for unknown user');
      deleteWhere(db.tables.recoveryCodes, (c) => c.userId === userId);
      for (const code of codes) db.tables.recoveryCodes.set(code.id, copyBytes(code));
    },
    async listByUser(userId) {
      return [...db.tables.recoveryCodes.values()].filter((c) => c.userId === userId).map(copyBytes);
    },
    async consume(id, usedAtMs) {
      const c = db.tables.recoveryCodes.get(id);
      if (c === undefined || c.usedAtMs !== null) return false;
      db.tables.recoveryCodes.set(id, { ...c, usedAtMs });
      return true;
    },
    async deleteByUser(userId) {
      return deleteWhere(db.tables.recoveryCodes, (c) => c.userId === userId);
    },
  };
}
