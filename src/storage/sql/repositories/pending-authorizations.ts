import type { AuthorizationParams, PendingAuthorizationStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';

/** Authorization requests waiting for login or consent, over kysely. */
export function sqlPendingAuthorizations(db: Db): PendingAuthorizationStore {
  return {
    async insert(request) {
      await db
        .insertInto('pending_authorizations')
        .values({ id: request.id, params: JSON.stringify(request.params), login_after_ms: request.loginAfterMs, created_at_ms: request.createdAtMs, expires_at_ms: request.expiresAtMs })
        .execute();
    },
    async find(id) {
      const row = await db.selectFrom('pending_authorizations').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return null;
      return { id: row.id, params: JSON.parse(row.params) as AuthorizationParams, loginAfterMs: msOrNull(row.login_after_ms), createdAtMs: ms(row.created_at_ms), expiresAtMs: ms(row.expires_at_ms) };
    },
    async delete(id) {
      const result = await db.deleteFrom('pending_authorizations').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('pending_authorizations').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
