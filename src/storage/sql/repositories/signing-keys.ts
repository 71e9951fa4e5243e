import type { SigningKeyRecord, SigningKeyStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';
import type { SigningKeysTable } from '../schema.ts';
import type { Selectable } from 'kysely';

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
  };
}

/** JWT signing keys over kysely. */
export function sqlSigningKeys(db: Db): SigningKeyStore {
  return {
    async list() {
      return (await db.selectFrom('signing_keys').selectAll().orderBy('activates_at_ms').orderBy('kid').execute()).map(toRecord);
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
