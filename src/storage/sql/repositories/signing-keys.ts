import type { Selectable } from 'kysely';
import type { SigningKeyRecord, SigningKeyStore } from '../../../core/ports.ts';
import { inLockedTransaction, ms, msOrNull, type Db } from '../rows.ts';
import type { SigningKeysTable } from '../schema.ts';

/** pg_advisory_xact_lock key that serializes first-key creation on PostgreSQL ('gh_key1' as bytes). */
const firstKeyLockKey = 0x67685f6b657931n;

function toRecord(row: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateJwe: row.private_jwe,
    createdAtMs: ms(row.created_at_ms),
    activatesAtMs: ms(row.activates_at_ms),
    retiresAtMs: msOrNull(row.retires_at_ms),
    expiresAtMs: msOrNull(row.expires_at_ms),
    ...(row.purpose === 'id_token' ? { purpose: 'id_token' as const } : {}),
  };
}

/** JWT signing keys over kysely. */
export function sqlSigningKeys(db: Db): SigningKeyStore {
  return {
    async list() {
      return (await db.selectFrom('signing_keys').selectAll().orderBy('activates_at_ms').orderBy('kid').execute()).map(toRecord);
    },
    async insertFirst(key, nowMs) {
      // Check and insert in one transaction. On PostgreSQL two READ COMMITTED transactions could
      // both see an empty table, so they queue on an advisory lock first.
      return inLockedTransaction(db, firstKeyLockKey, async (tx) => {
        let ring = tx.selectFrom('signing_keys').select('kid').where('purpose', '=', key.purpose ?? 'access');
        if (key.purpose === 'id_token') ring = ring.where('alg', '=', key.alg);
        const signing = await ring
          .where('activates_at_ms', '<=', nowMs)
          .where((eb) => eb.or([eb('retires_at_ms', 'is', null), eb('retires_at_ms', '>', nowMs)]))
          .limit(1)
          .executeTakeFirst();
        if (signing !== undefined) return false;
        await sqlSigningKeys(tx).insert(key);
        return true;
      });
    },
    async insert(key) {
      await db
        .insertInto('signing_keys')
        .values({
          kid: key.kid,
          alg: key.alg,
          public_jwk: key.publicJwk,
          private_jwe: key.privateJwe,
          created_at_ms: key.createdAtMs,
          activates_at_ms: key.activatesAtMs,
          retires_at_ms: key.retiresAtMs,
          expires_at_ms: key.expiresAtMs,
          purpose: key.purpose ?? 'access',
        })
        .execute();
    },
    async retire(kid, retiresAtMs, expiresAtMs) {
      await db.updateTable('signing_keys').set({ retires_at_ms: retiresAtMs, expires_at_ms: expiresAtMs }).where('kid', '=', kid).execute();
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('signing_keys').where('expires_at_ms', 'is not', null).where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
