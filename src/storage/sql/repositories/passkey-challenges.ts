import type { PasskeyCeremonyPurpose, PasskeyChallengeStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** WebAuthn challenges over kysely: inserted with the options, taken once with the answer. */
export function sqlPasskeyChallenges(db: Db): PasskeyChallengeStore {
  return {
    async insert(challenge) {
      await db
        .insertInto('passkey_challenges')
        .values({
          id_hash: challenge.idHash,
          purpose: challenge.purpose,
          user_id: challenge.userId,
          binding_hash: challenge.bindingHash,
          challenge: challenge.challenge,
          created_at_ms: challenge.createdAtMs,
          expires_at_ms: challenge.expiresAtMs,
        })
        .execute();
    },
    async take(idHash) {
      // One statement deletes and returns the row: two answers racing with one cookie cannot both get it.
      const row = await db.deleteFrom('passkey_challenges').where('id_hash', '=', idHash).returningAll().executeTakeFirst();
      if (row === undefined) return null;
      return {
        idHash: new Uint8Array(row.id_hash),
        purpose: row.purpose as PasskeyCeremonyPurpose,
        userId: row.user_id,
        bindingHash: row.binding_hash === null ? null : new Uint8Array(row.binding_hash),
        challenge: row.challenge,
        createdAtMs: ms(row.created_at_ms),
        expiresAtMs: ms(row.expires_at_ms),
      };
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('passkey_challenges').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
