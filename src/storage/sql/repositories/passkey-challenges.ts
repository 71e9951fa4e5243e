import type { Selectable } from 'kysely';
import type { PasskeyCeremonyPurpose, PasskeyChallenge, PasskeyChallengeStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';
import type { PasskeyChallengesTable } from '../schema.ts';

export function toPasskeyChallenge(row: Selectable<PasskeyChallengesTable>): PasskeyChallenge {
  return {
    idHash: new Uint8Array(row.id_hash),
    purpose: row.purpose as PasskeyCeremonyPurpose,
    userId: row.user_id,
    bindingHash: row.binding_hash === null ? null : new Uint8Array(row.binding_hash),
    challenge: row.challenge,
    createdAtMs: ms(row.created_at_ms),
    expiresAtMs: ms(row.expires_at_ms),
  };
}

/** The queries SQLite's fast paths (sqlite.ts) prepare once. */
export const passkeyChallengeQueries = {
  find: (db: Db, idHash: Uint8Array) => db.selectFrom('passkey_challenges').selectAll().where('id_hash', '=', idHash),
  /** One statement deletes and returns the row: two answers racing with one cookie cannot both get it. */
  take: (db: Db, idHash: Uint8Array) => db.deleteFrom('passkey_challenges').where('id_hash', '=', idHash).returningAll(),
};

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
    async find(idHash) {
      const row = await passkeyChallengeQueries.find(db, idHash).executeTakeFirst();
      return row === undefined ? null : toPasskeyChallenge(row);
    },
    async take(idHash) {
      const row = await passkeyChallengeQueries.take(db, idHash).executeTakeFirst();
      return row === undefined ? null : toPasskeyChallenge(row);
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('passkey_challenges').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
