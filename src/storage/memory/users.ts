import type { UserStore } from '../../core/ports.ts';
import { dropEverythingOf, type MemoryDb } from './tables.ts';

export function memoryUsers(db: MemoryDb): UserStore {
  const findById: UserStore['findById'] = async (id) => {
    const u = db.tables.users.get(id);
    return u === undefined ? null : { ...u };
  };
  return {
    async create(user) {
      if (db.tables.users.has(user.id)) throw new Error('duplicate user id');
      for (const u of db.tables.users.values()) if (u.email === user.email) return 'email_taken';
      db.tables.users.set(user.id, { ...user });
      return 'created';
    },
    findById,
    // One transaction at a time here: reading is enough.
    lockForUpdate: findById,
    async findByEmail(email) {
      for (const u of db.tables.users.values()) if (u.email === email) return { ...u };
      return null;
    },
    async updatePasswordHash(id, passwordHash, nowMs) {
      const u = db.tables.users.get(id);
      if (u !== undefined) db.tables.users.set(id, { ...u, passwordHash, updatedAtMs: nowMs });
    },
    async updateEmail(id, email, nowMs) {
      for (const u of db.tables.users.values()) if (u.email === email) return 'email_taken';
      const u = db.tables.users.get(id);
      if (u !== undefined) db.tables.users.set(id, { ...u, email, updatedAtMs: nowMs });
      return 'updated';
    },
    async setDisabledAt(id, disabledAtMs, nowMs) {
      const u = db.tables.users.get(id);
      if (u === undefined) return false;
      db.tables.users.set(id, { ...u, disabledAtMs, updatedAtMs: nowMs });
      return true;
    },
    async delete(id) {
      dropEverythingOf(db.tables, id);
      return db.tables.users.delete(id);
    },
    async list({ limit, afterEmail }) {
      return [...db.tables.users.values()]
        .filter((u) => afterEmail === undefined || u.email > afterEmail)
        .sort((a, b) => (a.email < b.email ? -1 : 1))
        .slice(0, limit)
        .map((u) => ({ ...u }));
    },
  };
}
