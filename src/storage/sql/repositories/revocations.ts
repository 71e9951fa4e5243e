import type { RevocationStore } from '../../../core/ports.ts';
import { inLockedTransaction, ms, type Db } from '../rows.ts';

/** pg_advisory_xact_lock key that orders revocation appends on PostgreSQL ('gh_revo' as bytes). */
const appendLockKey = 0x67685f7265766fn;

/** The revocation feed over kysely. */
export function sqlRevocations(db: Db): RevocationStore {
  // Feed readers ask for "seq > the last one I saw". On PostgreSQL a sequence hands out numbers
  // at insert time, not commit time: a transaction holding seq 5 could commit after another's
  // seq 6 was read, and 5 would never be delivered. Appends therefore take a transaction-scoped
  // advisory lock first, so seq order is commit order. (SQLite has one writer: nothing to do.)
  const repository: RevocationStore = {
    async append(entry) {
      await inLockedTransaction(db, appendLockKey, (tx) =>
        tx
          .insertInto('revocations')
          .values({ sid: entry.sid, jti: entry.jti, expires_at_ms: entry.expiresAtMs, created_at_ms: entry.createdAtMs, reason: entry.reason })
          .execute(),
      );
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
    async sessionEndReason(sid) {
      const row = await db.selectFrom('revocations').select('reason').where('sid', '=', sid).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      return row?.reason ?? null;
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('revocations').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
  return repository;
}
