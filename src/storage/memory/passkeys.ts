import type { PasskeyCredential, PasskeyStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

const copyPasskey = (p: PasskeyCredential): PasskeyCredential => ({ ...p, publicKey: new Uint8Array(p.publicKey), transports: [...p.transports] });

export function memoryPasskeys(db: MemoryDb): PasskeyStore {
  return {
    async create(credential) {
      const { passkeys } = db.tables;
      if (passkeys.has(credential.id)) throw new Error('duplicate passkey id');
      for (const p of passkeys.values()) if (p.credentialId === credential.credentialId) return 'credential_taken';
      passkeys.set(credential.id, copyPasskey(credential));
      return 'created';
    },
    async findByCredentialId(credentialId) {
      for (const p of db.tables.passkeys.values()) if (p.credentialId === credentialId) return copyPasskey(p);
      return null;
    },
    async findWithUser(credentialId) {
      for (const p of db.tables.passkeys.values()) {
        if (p.credentialId !== credentialId) continue;
        const user = db.tables.users.get(p.userId);
        return user === undefined ? null : { passkey: copyPasskey(p), user: { ...user } };
      }
      return null;
    },
    async listByUser(userId) {
      return [...db.tables.passkeys.values()]
        .filter((p) => p.userId === userId)
        .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1))
        .map(copyPasskey);
    },
    async recordUse(id, use) {
      const p = db.tables.passkeys.get(id);
      if (p === undefined || p.counter !== use.expectedCounter) return false;
      db.tables.passkeys.set(id, { ...p, counter: use.counter, backedUp: use.backedUp, lastUsedAtMs: use.atMs });
      return true;
    },
    async rename(userId, id, name) {
      const p = db.tables.passkeys.get(id);
      if (p === undefined || p.userId !== userId) return false;
      db.tables.passkeys.set(id, { ...p, name });
      return true;
    },
    async delete(userId, id) {
      const p = db.tables.passkeys.get(id);
      if (p === undefined || p.userId !== userId) return false;
      return db.tables.passkeys.delete(id);
    },
  };
}
