import type { OAuthIdentityStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryOAuthIdentities(db: MemoryDb): OAuthIdentityStore {
  return {
    async create(identity) {
      if (db.tables.oauthIdentities.has(identity.id)) throw new Error('duplicate identity id');
      if (!db.tables.users.has(identity.userId)) throw new Error('identity for unknown user');
      for (const i of db.tables.oauthIdentities.values()) if (i.issuer === identity.issuer && i.subject === identity.subject) return 'subject_taken';
      db.tables.oauthIdentities.set(identity.id, { ...identity });
      return 'created';
    },
    async findBySubject(issuer, subject) {
      for (const i of db.tables.oauthIdentities.values()) if (i.issuer === issuer && i.subject === subject) return { ...i };
      return null;
    },
    async listByUser(userId) {
      return [...db.tables.oauthIdentities.values()].filter((i) => i.userId === userId).map((i) => ({ ...i }));
    },
    async recordLogin(id, atMs, email, tokensJwe) {
      const i = db.tables.oauthIdentities.get(id);
      if (i !== undefined) db.tables.oauthIdentities.set(id, { ...i, lastLoginAtMs: atMs, email, tokensJwe });
    },
    async delete(userId, id) {
      const i = db.tables.oauthIdentities.get(id);
      if (i === undefined || i.userId !== userId) return false;
      return db.tables.oauthIdentities.delete(id);
    },
  };
}
