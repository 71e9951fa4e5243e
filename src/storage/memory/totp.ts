import type { TotpStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryTotp(db: MemoryDb): TotpStore {
  return {
    async putPending(credential) {
      if (!db.tables.users.has(credential.userId)) throw new Error('TOTP credential for unknown user');
      const existing = db.tables.totp.get(credential.userId);
      if (existing !== undefined && existing.confirmedAtMs !== null) return false;
      db.tables.totp.set(credential.userId, { ...credential, confirmedAtMs: null, lastUsedStep: null });
      return true;
    },
    async find(userId) {
      const c = db.tables.totp.get(userId);
      return c === undefined ? null : { ...c };
    },
    async confirm(userId, confirmedAtMs, step) {
      const c = db.tables.totp.get(userId);
      if (c === undefined || c.confirmedAtMs !== null) return false;
      db.tables.totp.set(userId, { ...c, confirmedAtMs, lastUsedStep: step, enrolmentSessionId: null });
      return true;
    },
    async useStep(userId, step) {
      const c = db.tables.totp.get(userId);
      if (c === undefined || c.confirmedAtMs === null || (c.lastUsedStep !== null && c.lastUsedStep >= step)) return false;
      db.tables.totp.set(userId, { ...c, lastUsedStep: step });
      return true;
    },
    async delete(userId) {
      return db.tables.totp.delete(userId);
    },
  };
}
