import type { ThrottleState, ThrottleStore } from '../../../core/ports.ts';
import { nextThrottleState, remainingLockMs } from '../../../core/throttle/throttle.ts';
import { ms, type Db } from '../rows.ts';

/** Compare-and-set rounds before reserve gives up and fails closed for a second. */
const maxReserveAttempts = 32;

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

  const repository: ThrottleStore = {
    async get(key) {
      const row = await db.selectFrom('throttle').selectAll().where('key', '=', key).executeTakeFirst();
      return row === undefined ? null : { failures: Number(row.failures), lastFailureAtMs: ms(row.last_failure_at_ms) };
    },
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
      // Optimistic compare-and-set, no transaction: read, decide, then write only if the row is
      // still what was read (each statement is atomic on its own). A lost race reads again.
      // This holds across processes and connections (two servers on one SQLite file, or many
      // on PostgreSQL) without holding a lock across the decision.
      for (let attempt = 0; attempt < maxReserveAttempts; attempt++) {
        const before = await repository.get(key);
        const waitMs = remainingLockMs(before, rule, nowMs);
        if (waitMs > 0) return { allowed: false, waitMs };
        const after = nextThrottleState(before, rule, nowMs);
        const result =
          before === null
            ? await db
                .insertInto('throttle')
                .values({ key, failures: after.failures, last_failure_at_ms: after.lastFailureAtMs })
                .onConflict((oc) => oc.column('key').doNothing())
                .executeTakeFirst()
            : await replaceIfUnchanged(key, before, after);
        const changed = 'numInsertedOrUpdatedRows' in result ? result.numInsertedOrUpdatedRows : result.numUpdatedRows;
        if (Number(changed ?? 0) === 1) return { allowed: true, before, after };
        // Lost a race to another writer: let it finish before reading again.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      // Extreme contention on one key: fail closed for a moment rather than let it through.
      return { allowed: false, waitMs: 1000 };
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
  return repository;
}
