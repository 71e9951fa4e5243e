import type { EmailVerificationStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** Which accounts proved their address, over kysely. */
export function sqlEmailVerifications(db: Db): EmailVerificationStore {
  return {
    async markVerified(userId, email, verifiedAtMs) {
      await db
        .insertInto('email_verifications')
        .values({ user_id: userId, email, verified_at_ms: verifiedAtMs })
        .onConflict((oc) => oc.column('user_id').doNothing())
        .execute();
    },
    async replaceVerified(userId, email, verifiedAtMs) {
      await db
        .insertInto('email_verifications')
        .values({ user_id: userId, email, verified_at_ms: verifiedAtMs })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ email, verified_at_ms: verifiedAtMs }))
        .execute();
    },
    async find(userId) {
      const row = await db.selectFrom('email_verifications').selectAll().where('user_id', '=', userId).executeTakeFirst();
      return row === undefined ? null : { email: row.email, verifiedAtMs: ms(row.verified_at_ms) };
    },
  };
}
