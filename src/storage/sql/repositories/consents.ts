import type { Selectable } from 'kysely';
import type { Consent, ConsentStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';
import type { ConsentsTable } from '../schema.ts';

export function toConsent(row: Selectable<ConsentsTable>): Consent {
  return { userId: row.user_id, clientId: row.client_id, scopes: JSON.parse(row.scopes) as string[], grantedAtMs: ms(row.granted_at_ms), updatedAtMs: ms(row.updated_at_ms) };
}

/** The authorization endpoint's consent lookup, which SQLite's fast path also runs (prepared once, sqlite-openid-statements.ts). */
export const consentQueries = {
  find: (db: Db, userId: string, clientId: string) => db.selectFrom('consents').selectAll().where('user_id', '=', userId).where('client_id', '=', clientId),
};

/** Consents over kysely: one row per (user, client). */
export function sqlConsents(db: Db): ConsentStore {
  return {
    async find(userId, clientId) {
      const row = await consentQueries.find(db, userId, clientId).executeTakeFirst();
      return row === undefined ? null : toConsent(row);
    },
    async upsert(consent) {
      const scopes = JSON.stringify(consent.scopes);
      await db
        .insertInto('consents')
        .values({ user_id: consent.userId, client_id: consent.clientId, scopes, granted_at_ms: consent.grantedAtMs, updated_at_ms: consent.updatedAtMs })
        .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scopes, granted_at_ms: consent.grantedAtMs, updated_at_ms: consent.updatedAtMs }))
        .execute();
    },
    async listByUser(userId) {
      return (await db.selectFrom('consents').selectAll().where('user_id', '=', userId).orderBy('granted_at_ms').orderBy('client_id').execute()).map(toConsent);
    },
    async delete(userId, clientId) {
      const result = await db.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
