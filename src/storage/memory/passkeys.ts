import type { PasskeyChallenge, PasskeyChallengeStore, PasskeyCredential, PasskeyStore } from '../../core/ports.ts';

/** The memory store's passkey tables: passkeys by our id, challenges by the hex of their id hash. */
export interface PasskeyTables {
  passkeys: Map<string, PasskeyCredential>;
  passkeyChallenges: Map<string, PasskeyChallenge>;
}

const copyPasskey = (p: PasskeyCredential): PasskeyCredential => ({ ...p, publicKey: new Uint8Array(p.publicKey), transports: [...p.transports] });
const copyChallenge = (c: PasskeyChallenge): PasskeyChallenge => ({
  ...c,
  idHash: new Uint8Array(c.idHash),
  bindingHash: c.bindingHash === null ? null : new Uint8Array(c.bindingHash),
});

/**
 * Passkeys and their challenges in memory. `tables` is read on every call, since a rolled-back
 * transaction swaps the memory store's tables for its snapshot.
 */
export function memoryPasskeyRepositories(tables: () => PasskeyTables): { passkeys: PasskeyStore; passkeyChallenges: PasskeyChallengeStore } {
  return {
    passkeys: {
      async create(credential) {
        const { passkeys } = tables();
        if (passkeys.has(credential.id)) throw new Error('duplicate passkey id');
        for (const p of passkeys.values()) if (p.credentialId === credential.credentialId) return 'credential_taken';
        passkeys.set(credential.id, copyPasskey(credential));
        return 'created';
      },
      async findByCredentialId(credentialId) {
        for (const p of tables().passkeys.values()) if (p.credentialId === credentialId) return copyPasskey(p);
        return null;
      },
      async listByUser(userId) {
        return [...tables().passkeys.values()]
          .filter((p) => p.userId === userId)
          .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
          .map(copyPasskey);
      },
      async recordUse(id, use) {
        const { passkeys } = tables();
        const p = passkeys.get(id);
        if (p === undefined || p.counter !== use.expectedCounter) return false;
        passkeys.set(id, { ...p, counter: use.counter, backedUp: use.backedUp, lastUsedAtMs: use.atMs });
        return true;
      },
      async rename(userId, id, name) {
        const { passkeys } = tables();
        const p = passkeys.get(id);
        if (p === undefined || p.userId !== userId) return false;
        passkeys.set(id, { ...p, name });
        return true;
      },
      async delete(userId, id) {
        const { passkeys } = tables();
        const p = passkeys.get(id);
        if (p === undefined || p.userId !== userId) return false;
        return passkeys.delete(id);
      },
    },
    passkeyChallenges: {
      async insert(challenge) {
        const { passkeyChallenges } = tables();
        const key = Buffer.from(challenge.idHash).toString('hex');
        if (passkeyChallenges.has(key)) throw new Error('duplicate challenge');
        passkeyChallenges.set(key, copyChallenge(challenge));
      },
      async take(idHash) {
        const { passkeyChallenges } = tables();
        const key = Buffer.from(idHash).toString('hex');
        const challenge = passkeyChallenges.get(key);
        if (challenge === undefined) return null;
        passkeyChallenges.delete(key);
        return challenge;
      },
      async deleteExpired(nowMs) {
        const { passkeyChallenges } = tables();
        let deleted = 0;
        for (const [key, c] of passkeyChallenges) {
          if (c.expiresAtMs <= nowMs) {
            passkeyChallenges.delete(key);
            deleted++;
          }
        }
        return deleted;
      },
    },
  };
}
