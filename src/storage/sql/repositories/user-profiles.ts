import type { UserProfileStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** Profiles over kysely: one row per user who saved one. */
export function sqlUserProfiles(db: Db): UserProfileStore {
  return {
    async find(userId) {
      const row = await db.selectFrom('user_profiles').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (row === undefined) return null;
      return {
        userId: row.user_id,
        name: row.name,
        givenName: row.given_name,
        familyName: row.family_name,
        picture: row.picture,
        locale: row.locale,
        updatedAtMs: ms(row.updated_at_ms),
      };
    },
    async put(profile) {
      const values = {
        name: profile.name,
        given_name: profile.givenName,
        family_name: profile.familyName,
        picture: profile.picture,
        locale: profile.locale,
        updated_at_ms: profile.updatedAtMs,
      };
      await db
        .insertInto('user_profiles')
        .values({ user_id: profile.userId, ...values })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
        .execute();
    },
  };
}
