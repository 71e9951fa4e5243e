import type { RevocationStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryRevocations(db: MemoryDb): RevocationStore {
  return {
    async append(entry) {
      db.tables.revocationSeq += 1;
      db.tables.revocations.push({ ...entry, seq: db.tables.revocationSeq });
    },
    async listAfter(afterSeq, limit) {
      return db.tables.revocations.filter((r) => r.seq > afterSeq).slice(0, limit).map((r) => ({ ...r }));
    },
    async latestSeq() {
      return db.tables.revocations.at(-1)?.seq ?? 0;
    },
    async hasJti(jti) {
      return db.tables.revocations.some((r) => r.jti === jti);
    },
    async sessionEndReason(sid) {
      return db.tables.revocations.findLast((r) => r.sid === sid)?.reason ?? null;
    },
    async deleteExpired(nowMs) {
      const before = db.tables.revocations.length;
      db.tables.revocations = db.tables.revocations.filter((r) => r.expiresAtMs > nowMs);
      return before - db.tables.revocations.length;
    },
  };
}
