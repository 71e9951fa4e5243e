import type { UsedPasskeyChallengeStore } from '../../core/ports.ts';
import { deleteWhere, hashKey, type MemoryDb } from './tables.ts';

export function memoryUsedPasskeyChallenges(db: MemoryDb): UsedPasskeyChallengeStore {
  return {
    async claim(challengeHash, expiresAtMs) {
      // The ceremony: its expiry and its challenge's hash, as the SQL key (expires_at_ms, challenge_hash).
      const key = `${String(expiresAtMs)} ${hashKey(challengeHash)}`;
      if (db.tables.usedPasskeyChallenges.has(key)) return false;
      db.tables.usedPasskeyChallenges.set(key, expiresAtMs);
      return true;
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.usedPasskeyChallenges, (expiresAtMs) => expiresAtMs <= nowMs);
    },
  };
}
