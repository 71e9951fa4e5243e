import { nextThrottleState, remainingLockMs } from '../../core/throttle/throttle.ts';
import type { ThrottleStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

export function memoryThrottle(db: MemoryDb): ThrottleStore {
  return {
    async get(key) {
      const t = db.tables.throttle.get(key);
      return t === undefined ? null : { ...t };
    },
    async recordFailure(key, nowMs, resetAfterMs) {
      const t = db.tables.throttle.get(key);
      const next =
        t === undefined || nowMs - t.lastFailureAtMs > resetAfterMs
          ? { failures: 1, lastFailureAtMs: nowMs }
          : { failures: t.failures + 1, lastFailureAtMs: nowMs };
      db.tables.throttle.set(key, next);
      return { ...next };
    },
    async reserve(key, nowMs, rule) {
      const before = db.tables.throttle.get(key) ?? null;
      const waitMs = remainingLockMs(before, rule, nowMs);
      if (waitMs > 0) return { allowed: false, waitMs };
      const after = nextThrottleState(before, rule, nowMs);
      db.tables.throttle.set(key, after);
      return { allowed: true, before: before === null ? null : { ...before }, after: { ...after } };
    },
    async refund(key, { before, after }) {
      const t = db.tables.throttle.get(key);
      if (t === undefined) return;
      if (t.failures === after.failures && t.lastFailureAtMs === after.lastFailureAtMs) {
        if (before === null) db.tables.throttle.delete(key);
        else db.tables.throttle.set(key, { ...before });
      } else {
        db.tables.throttle.set(key, { ...t, failures: Math.max(0, t.failures - 1) });
      }
    },
    async clear(key) {
      db.tables.throttle.delete(key);
    },
    async deleteStale(nowMs, resetAfterMs) {
      return deleteWhere(db.tables.throttle, (t) => nowMs - t.lastFailureAtMs > resetAfterMs);
    },
  };
}
