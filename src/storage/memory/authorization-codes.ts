import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../../core/ports.ts';
import { copyBytes, deleteWhere, hashKey, type MemoryDb } from './tables.ts';

const copy = (r: AuthorizationCodeRecord): AuthorizationCodeRecord => ({ ...copyBytes(r), amr: [...r.amr] });

export function memoryAuthorizationCodes(db: MemoryDb): AuthorizationCodeStore {
  return {
    async insert(code) {
      const key = hashKey(code.codeHash);
      if (db.tables.authorizationCodes.has(key)) throw new Error('duplicate authorization code');
      db.tables.authorizationCodes.set(key, copy(code));
    },
    async findByHash(codeHash) {
      const r = db.tables.authorizationCodes.get(hashKey(codeHash));
      return r === undefined ? null : copy(r);
    },
    async consume(codeHash, usedAtMs, issued) {
      const key = hashKey(codeHash);
      const r = db.tables.authorizationCodes.get(key);
      if (r === undefined || r.usedAtMs !== null) return false;
      db.tables.authorizationCodes.set(key, { ...r, usedAtMs, ...issued });
      return true;
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.authorizationCodes, (r) => keepUntilMs(r) <= nowMs);
    },
  };
}

/**
 * A code is useless after `expiresAtMs`, but its record is kept until the access token its first
 * exchange issued has expired too, so a late second exchange still revokes what the first got.
 */
export function keepUntilMs(r: Pick<AuthorizationCodeRecord, 'expiresAtMs' | 'accessTokenExpiresAtMs'>): number {
  return Math.max(r.expiresAtMs, r.accessTokenExpiresAtMs ?? 0);
}
