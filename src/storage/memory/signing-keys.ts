import { currentKey } from '../../core/tokens/key-ring.ts';
import type { SigningKeyStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

export function memorySigningKeys(db: MemoryDb): SigningKeyStore {
  return {
    async list() {
      return [...db.tables.signingKeys.values()].sort((a, b) => a.activatesAtMs - b.activatesAtMs || (a.kid < b.kid ? -1 : 1)).map((k) => ({ ...k }));
    },
    async insert(key) {
      if (db.tables.signingKeys.has(key.kid)) throw new Error('duplicate kid');
      db.tables.signingKeys.set(key.kid, { ...key });
    },
    async insertFirst(key, nowMs) {
      const ring = [...db.tables.signingKeys.values()].filter((k) => k.purpose === key.purpose && (key.purpose !== 'id_token' || k.alg === key.alg));
      if (currentKey(ring, nowMs) !== null) return false;
      db.tables.signingKeys.set(key.kid, { ...key });
      return true;
    },
    async retire(kid, retiresAtMs, expiresAtMs) {
      const k = db.tables.signingKeys.get(kid);
      if (k !== undefined) db.tables.signingKeys.set(kid, { ...k, retiresAtMs, expiresAtMs });
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.signingKeys, (k) => k.expiresAtMs !== null && k.expiresAtMs <= nowMs);
    },
  };
}
