import type { PasskeyChallenge, PasskeyChallengeStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

const keyOf = (idHash: Uint8Array): string => Buffer.from(idHash).toString('hex');
const copyChallenge = (c: PasskeyChallenge): PasskeyChallenge => ({ ...c, idHash: new Uint8Array(c.idHash), bindingHash: c.bindingHash === null ? null : new Uint8Array(c.bindingHash) });

export function memoryPasskeyChallenges(db: MemoryDb): PasskeyChallengeStore {
  return {
    async insert(challenge) {
      const key = keyOf(challenge.idHash);
      if (db.tables.passkeyChallenges.has(key)) throw new Error('duplicate challenge');
      db.tables.passkeyChallenges.set(key, copyChallenge(challenge));
    },
    async find(idHash) {
      const challenge = db.tables.passkeyChallenges.get(keyOf(idHash));
      return challenge === undefined ? null : copyChallenge(challenge);
    },
    async take(idHash) {
      const key = keyOf(idHash);
      const challenge = db.tables.passkeyChallenges.get(key);
      if (challenge === undefined) return null;
      db.tables.passkeyChallenges.delete(key);
      return challenge;
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.passkeyChallenges, (c) => c.expiresAtMs <= nowMs);
    },
  };
}
