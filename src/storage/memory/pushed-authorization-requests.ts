import type { PushedAuthorizationRequest, PushedAuthorizationRequestStore } from '../../core/ports.ts';
import { deleteWhere, hashKey, type MemoryDb } from './tables.ts';

const copy = (r: PushedAuthorizationRequest): PushedAuthorizationRequest => structuredClone(r);

export function memoryPushedAuthorizationRequests(db: MemoryDb): PushedAuthorizationRequestStore {
  return {
    async insert(request) {
      const key = hashKey(request.idHash);
      if (db.tables.pushedAuthorizationRequests.has(key)) throw new Error('duplicate pushed authorization request');
      db.tables.pushedAuthorizationRequests.set(key, copy(request));
    },
    async take(idHash) {
      const key = hashKey(idHash);
      const request = db.tables.pushedAuthorizationRequests.get(key);
      if (request === undefined) return null;
      db.tables.pushedAuthorizationRequests.delete(key);
      return copy(request);
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.pushedAuthorizationRequests, (r) => r.expiresAtMs <= nowMs);
    },
  };
}
