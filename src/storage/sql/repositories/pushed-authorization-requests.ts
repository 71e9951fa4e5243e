import type { PushedAuthorizationRequestStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** Pushed authorization requests (RFC 9126) over kysely: taken with one DELETE ... RETURNING, so each is used once. */
export function sqlPushedAuthorizationRequests(db: Db): PushedAuthorizationRequestStore {
  return {
    async insert(request) {
      await db
        .insertInto('pushed_authorization_requests')
        .values({ id_hash: request.idHash, client_id: request.clientId, params: JSON.stringify(request.params), created_at_ms: request.createdAtMs, expires_at_ms: request.expiresAtMs })
        .execute();
    },
    async take(idHash) {
      const row = await db.deleteFrom('pushed_authorization_requests').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      if (row === undefined) return null;
      return { idHash: new Uint8Array(row.id_hash), clientId: row.client_id, params: JSON.parse(row.params) as Record<string, string>, createdAtMs: ms(row.created_at_ms), expiresAtMs: ms(row.expires_at_ms) };
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('pushed_authorization_requests').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
