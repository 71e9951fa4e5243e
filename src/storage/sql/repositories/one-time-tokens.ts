import type { OneTimeTokenPurpose, OneTimeTokenStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';

/** Verification and reset link tokens over kysely. */
export function sqlOneTimeTokens(db: Db): OneTimeTokenStore {
  return {
    async insert(token) {
      await db
        .insertInto('one_time_tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          purpose: token.purpose,
          email: token.email,
          secret_hash: token.secretHash,
          created_at_ms: token.createdAtMs,
          expires_at_ms: token.expiresAtMs,
          used_at_ms: token.usedAtMs,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('one_time_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      if (row === undefined) return null;
      return {
        id: row.id,
        userId: row.user_id,
        purpose: row.purpose as OneTimeTokenPurpose,
        email: row.email,
        secretHash: new Uint8Array(row.secret_hash),
        createdAtMs: ms(row.created_at_ms),
        expiresAtMs: ms(row.expires_at_ms),
        usedAtMs: msOrNull(row.used_at_ms),
      };
    },
    async consume(id, nowMs) {
      const result = await db
        .updateTable('one_time_tokens')
        .set({ used_at_ms: nowMs })
        .where('id', '=', id)
        .where('used_at_ms', 'is', null)
        .where('expires_at_ms', '>', nowMs)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteByUser(userId, purpose) {
      const result = await db.deleteFrom('one_time_tokens').where('user_id', '=', userId).where('purpose', '=', purpose).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('one_time_tokens').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
