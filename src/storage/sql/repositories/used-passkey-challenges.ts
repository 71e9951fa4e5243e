import type { UsedPasskeyChallengeStore } from '../../../core/ports.ts';
import type { Db } from '../rows.ts';

/** The queries SQLite's fast paths (sqlite.ts) prepare once. */
export const usedPasskeyChallengeQueries = {
  /**
   * One statement: of two answers racing with one ceremony, one inserts the row, the other finds
   * it there (ON CONFLICT, so PostgreSQL's transaction is not aborted). The key is expiry first
   * (migration 0023): new rows go beside the last ones, not on a random page.
   */
  claim: (db: Db, challengeHash: Uint8Array, expiresAtMs: number) =>
    db
      .insertInto('passkey_used_challenges')
      .values({ challenge_hash: challengeHash, expires_at_ms: expiresAtMs })
      .onConflict((oc) => oc.columns(['expires_at_ms', 'challenge_hash']).doNothing()),
};

/** Answered passkey challenges over kysely: recorded once, deleted when they would have expired. */
export function sqlUsedPasskeyChallenges(db: Db): UsedPasskeyChallengeStore {
  return {
    async claim(challengeHash, expiresAtMs) {
      const result = await usedPasskeyChallengeQueries.claim(db, challengeHash, expiresAtMs).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('passkey_used_challenges').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
