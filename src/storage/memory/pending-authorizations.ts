import type { PendingAuthorization, PendingAuthorizationStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

const copy = (r: PendingAuthorization): PendingAuthorization => structuredClone(r);

export function memoryPendingAuthorizations(db: MemoryDb): PendingAuthorizationStore {
  return {
    async insert(request) {
      if (db.tables.pendingAuthorizations.has(request.id)) throw new Error('duplicate pending authorization');
      db.tables.pendingAuthorizations.set(request.id, copy(request));
    },
    async find(id) {
      const r = db.tables.pendingAuthorizations.get(id);
      return r === undefined ? null : copy(r);
    },
    async delete(id) {
      return db.tables.pendingAuthorizations.delete(id);
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.pendingAuthorizations, (r) => r.expiresAtMs <= nowMs);
    },
  };
}
