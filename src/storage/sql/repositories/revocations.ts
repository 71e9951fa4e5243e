import type { RevocationStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** The revocation feed over kysely. */
export function sqlRevocations(db: Db): RevocationStore {
  return {
    async append(entry) {
      await db
        .insertInto('revocations')
        .values({ sid: entry.sid, jti: entry.jti, expires_at_ms: entry.expiresAtMs, created_at_ms: entry.createdAtMs, reason: entry.reason })
        .execute();
    },
    async listAfter(afterSeq, limit) {
      const rows = await db.selectFrom('revocations').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map((r) => ({ seq: Number(r.seq), sid: r.sid, jti: r.jti, expiresAtMs: ms(r.expires_at_ms), createdAtMs: ms(r.created_at_ms), reason: r.reason }));
    },
    async latestSeq() {
      const row = await db.selectFrom('revocations').select((eb) => eb.fn.max('seq').as('latest')).executeTakeFirst();
      return Number(row?.latest ?? 0);
    },
    async hasJti(jti) {
      return (await db.selectFrom('revocations').select('seq').where('jti', '=', jti).limit(1).executeTakeFirst()) !== undefined;
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('revocations').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
