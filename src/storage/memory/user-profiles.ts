import type { UserProfileStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryUserProfiles(db: MemoryDb): UserProfileStore {
  return {
    async find(userId) {
      const profile = db.tables.profiles.get(userId);
      return profile === undefined ? null : { ...profile };
    },
    async put(profile) {
      // Like the SQL foreign key: a profile needs its user.
      if (!db.tables.users.has(profile.userId)) throw new Error('profile of an unknown user');
      db.tables.profiles.set(profile.userId, { ...profile });
    },
  };
}
