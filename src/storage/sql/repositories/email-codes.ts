import type { EmailCodePurpose, EmailCodeStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** Emailed one-time codes over kysely: one live code per account. */
export function sqlEmailCodes(db: Db): EmailCodeStore {
  return {
    async put(code) {
      const values = { purpose: code.purpose, code_hash: code.codeHash, created_at_ms: code.createdAtMs, expires_at_ms: code.expiresAtMs };
      await db
        .insertInto('email_codes')
        .values({ user_id: code.userId, ...values })
        .onConflict((oc) => oc.column('user_id').doUpdateSet(values))
        .execute();
    },
    async find(userId) {
      const row = await db.selectFrom('email_codes').selectAll().where('user_id', '=', userId).executeTakeFirst();
      if (row === undefined) return null;
      return {
        userId: row.user_id,
        purpose: row.purpose as EmailCodePurpose,
        codeHash: new Uint8Array(row.code_hash),
        createdAtMs: ms(row.created_at_ms),
        expiresAtMs: ms(row.expires_at_ms),
      };
    },
    async consume(userId, codeHash) {
      const result = await db.deleteFrom('email_codes').where('user_id', '=', userId).where('code_hash', '=', codeHash).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('email_codes').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
