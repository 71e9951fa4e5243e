import type { RecoveryCodeStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';

/** Recovery codes over kysely. */
export function sqlRecoveryCodes(db: Db): RecoveryCodeStore {
  return {
    async replace(userId, codes) {
      await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      if (codes.length === 0) return;
      await db
        .insertInto('recovery_codes')
        .values(codes.map((c) => ({ id: c.id, user_id: c.userId, code_hash: c.codeHash, created_at_ms: c.createdAtMs, used_at_ms: c.usedAtMs })))
        .execute();
    },
    async listByUser(userId) {
      const rows = await db.selectFrom('recovery_codes').selectAll().where('user_id', '=', userId).execute();
      return rows.map((row) => ({
        id: row.id,
        userId: row.user_id,
        codeHash: new Uint8Array(row.code_hash),
        createdAtMs: ms(row.created_at_ms),
        usedAtMs: msOrNull(row.used_at_ms),
      }));
    },
    async consume(id, usedAtMs) {
      const result = await db.updateTable('recovery_codes').set({ used_at_ms: usedAtMs }).where('id', '=', id).where('used_at_ms', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteByUser(userId) {
      const result = await db.deleteFrom('recovery_codes').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
