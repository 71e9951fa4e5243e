import type { Consent, ConsentStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

const keyOf = (userId: string, clientId: string): string => `${userId} ${clientId}`;
const copy = (c: Consent): Consent => ({ ...c, scopes: [...c.scopes] });

export function memoryConsents(db: MemoryDb): ConsentStore {
  return {
    async find(userId, clientId) {
      const c = db.tables.consents.get(keyOf(userId, clientId));
      return c === undefined ? null : copy(c);
    },
    async upsert(consent) {
      if (!db.tables.users.has(consent.userId)) throw new Error('consent for an unknown user');
      if (!db.tables.clients.has(consent.clientId)) throw new Error('consent for an unknown client');
      db.tables.consents.set(keyOf(consent.userId, consent.clientId), copy(consent));
    },
    async listByUser(userId) {
      return [...db.tables.consents.values()].filter((c) => c.userId === userId).sort((a, b) => a.grantedAtMs - b.grantedAtMs || (a.clientId < b.clientId ? -1 : 1)).map(copy);
    },
    async delete(userId, clientId) {
      return db.tables.consents.delete(keyOf(userId, clientId));
    },
  };
}
