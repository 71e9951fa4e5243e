import type { ThrottleCompareAndSet, ThrottleState, ThrottleStore } from '../../../core/ports.ts';
import { reserveByCompareAndSet } from '../../../core/throttle/reserve-by-compare-and-set.ts';
import { ms, type Db } from '../rows.ts';

/** The queries SQLite's fast paths (sqlite.ts) prepare once. */
export const throttleQueries = {
  get: (db: Db, key: string) => db.selectFrom('throttle').select(['failures', 'last_failure_at_ms']).where('key', '=', key),
};

/** A counter row as the port's state. */
export function toThrottleState(row: { failures: unknown; last_failure_at_ms: unknown }): ThrottleState {
  return { failures: Number(row.failures), lastFailureAtMs: ms(row.last_failure_at_ms) };
}

/** Throttle counters over kysely. */
export function sqlThrottle(db: Db): ThrottleStore {
  /** Compare-and-set: writes `next` only if the row still holds `expected`. */
  const replaceIfUnchanged = (key: string, expected: ThrottleState, next: ThrottleState) =>
    db
      .updateTable('throttle')
      .set({ failures: next.failures, last_failure_at_ms: next.lastFailureAtMs })
      .where('key', '=', key)
      .where('failures', '=', expected.failures)
      .where('last_failure_at_ms', '=', expected.lastFailureAtMs)
      .executeTakeFirst();

  const counters: ThrottleCompareAndSet = {
    async get(key) {
      const row = await throttleQueries.get(db, key).executeTakeFirst();
      return row === undefined ? null : toThrottleState(row);
    },
    async compareAndSet(key, expected, next) {
      const result =
        expected === null
          ? await db
              .insertInto('throttle')
              .values({ key, failures: next.failures, last_failure_at_ms: next.lastFailureAtMs })
              .onConflict((oc) => oc.column('key').doNothing())
              .executeTakeFirst()
          : await replaceIfUnchanged(key, expected, next);
      const changed = 'numInsertedOrUpdatedRows' in result ? result.numInsertedOrUpdatedRows : result.numUpdatedRows;
      return Number(changed ?? 0) === 1;
    },
  };

  return {
    get: counters.get,
    async recordFailure(key, nowMs, resetAfterMs) {
      // One statement, so concurrent failures on one key never lose a count.
      const row = await db
        .insertInto('throttle')
        .values({ key, failures: 1, last_failure_at_ms: nowMs })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet((eb) => ({
            failures: eb
              .case()
              .when('throttle.last_failure_at_ms', '<', nowMs - resetAfterMs)
              .then(1)
              .else(eb('throttle.failures', '+', 1))
              .end(),
            last_failure_at_ms: nowMs,
          })),
        )
        .returning(['failures', 'last_failure_at_ms'])
        .executeTakeFirstOrThrow();
      return { failures: Number(row.failures), lastFailureAtMs: ms(row.last_failure_at_ms) };
    },
    async reserve(key, nowMs, rule) {
      // No transaction: each statement of the compare-and-set is atomic on its own, which holds
      // across processes and connections (two servers on one SQLite file, or many on PostgreSQL).
      return reserveByCompareAndSet(counters, key, nowMs, rule);
    },
    async refund(key, { before, after }) {
      const restored =
        before === null
          ? await db
              .deleteFrom('throttle')
              .where('key', '=', key)
              .where('failures', '=', after.failures)
              .where('last_failure_at_ms', '=', after.lastFailureAtMs)
              .executeTakeFirst()
          : await replaceIfUnchanged(key, after, before);
      const done = 'numDeletedRows' in restored ? restored.numDeletedRows : restored.numUpdatedRows;
      if (Number(done) === 1) return;
      // Other attempts came in since: only take this one back.
      await db
        .updateTable('throttle')
        .set((eb) => ({ failures: eb.case().when('failures', '>', 0).then(eb('failures', '-', 1)).else(0).end() }))
        .where('key', '=', key)
        .execute();
    },
    async clear(key) {
      await db.deleteFrom('throttle').where('key', '=', key).execute();
    },
    async deleteStale(nowMs, resetAfterMs) {
      const result = await db.deleteFrom('throttle').where('last_failure_at_ms', '<', nowMs - resetAfterMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
