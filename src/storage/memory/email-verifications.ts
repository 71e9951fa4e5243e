import type { EmailVerificationStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryEmailVerifications(db: MemoryDb): EmailVerificationStore {
  return {
    async markVerified(userId, email, verifiedAtMs) {
      if (!db.tables.users.has(userId)) throw new Error('verification for unknown user');
      if (!db.tables.emailVerifications.has(userId)) db.tables.emailVerifications.set(userId, { email, verifiedAtMs });
    },
    async replaceVerified(userId, email, verifiedAtMs) {
      if (!db.tables.users.has(userId)) throw new Error('verification for unknown user');
      db.tables.emailVerifications.set(userId, { email, verifiedAtMs });
    },
    async find(userId) {
      const v = db.tables.emailVerifications.get(userId);
      return v === undefined ? null : { ...v };
    },
  };
}
