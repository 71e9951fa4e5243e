import type { TotpStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';

/** TOTP authenticators over kysely. `useStep` is one conditional UPDATE: two requests cannot both win a step. */
export function sqlTotp(db: Db): TotpStore {
  return {
    async putPending(credential) {
      const values = { secret_jwe: credential.secretJwe, created_at_ms: credential.createdAtMs, confirmed_at_ms: null, last_used_step: null, enrolment_session_id: credential.enrolmentSessionId };
      const result = await db
        .insertInto('totp_credentials')
        .values({ user_id: credential.userId, ...values })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(values).where('totp_credentials.confirmed_at_ms', 'is', null))
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
    async find(userId) {
      const row = await db.selectFrom('totp_credentials').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (row === undefined) return null;
      return {
        userId: row.user_id,
        secretJwe: row.secret_jwe,
        createdAtMs: ms(row.created_at_ms),
        confirmedAtMs: msOrNull(row.confirmed_at_ms),
        lastUsedStep: msOrNull(row.last_used_step),
        enrolmentSessionId: row.enrolment_session_id,
      };
    },
    async confirm(userId, confirmedAtMs, step) {
      const result = await db
        .updateTable('totp_credentials')
        .set({ confirmed_at_ms: confirmedAtMs, last_used_step: step, enrolment_session_id: null })
        .where('user_id', '=', userId)
        .where('confirmed_at_ms', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async useStep(userId, step) {
      const result = await db
        .updateTable('totp_credentials')
        .set({ last_used_step: step })
        .where('user_id', '=', userId)
        .where('confirmed_at_ms', 'is not', null)
        .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(userId) {
      const result = await db.deleteFrom('totp_credentials').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
