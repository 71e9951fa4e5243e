import type { OAuthFlow, OAuthFlowStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** Social-login flows in progress over kysely: inserted at the redirect, taken once at the callback. */
export function sqlOAuthFlows(db: Db): OAuthFlowStore {
  return {
    async insert(flow) {
      await db
        .insertInto('oauth_flows')
        .values({
          id_hash: flow.idHash,
          provider: flow.provider,
          purpose: flow.purpose,
          user_id: flow.userId,
          return_to: flow.returnTo,
          created_at_ms: flow.createdAtMs,
          expires_at_ms: flow.expiresAtMs,
        })
        .execute();
    },
    async take(idHash) {
      // One statement deletes and returns the row, so two callbacks racing with the same
      // cookie cannot both get the flow.
      const row = await db.deleteFrom('oauth_flows').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      if (row === undefined) return null;
      return {
        idHash: new Uint8Array(row.id_hash),
        provider: row.provider,
        purpose: row.purpose as OAuthFlow['purpose'],
        userId: row.user_id,
        returnTo: row.return_to,
        createdAtMs: ms(row.created_at_ms),
        expiresAtMs: ms(row.expires_at_ms),
      };
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('oauth_flows').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
