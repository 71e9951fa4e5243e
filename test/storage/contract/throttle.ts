import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Store, ThrottleReservation, ThrottleRuleShape, ThrottleState } from '../../../src/core/ports.ts';
import { nextThrottleState } from '../../../src/core/throttle/throttle.ts';
import { hourMs, minuteMs, readDuringRolledBackTransaction, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

type Reservation = Extract<ThrottleReservation, { allowed: true }>;

export function throttleContract(open: OpenStore): void {
  const test = storeTest(open);
  const resetAfterMs = 15 * minuteMs;
  // 5 free attempts, then 1 s, 2 s, 4 s... up to 1 min; forgotten 15 min after the last one.
  const rule: ThrottleRuleShape = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: minuteMs, resetAfterMs };

  describe('throttle', () => {
    test('get returns null for a key with no failures', async (store) => {
      assert.equal(await store.throttle.get('account:unknown'), null);
    });

    test('get outside a transaction never sees a transaction that is still open (it rolls back here)', async (store) => {
      assert.equal(await readDuringRolledBackTransaction(store, (tx) => tx.throttle.recordFailure('k', t0Ms, resetAfterMs), () => store.throttle.get('k')), null);
      assert.equal(await store.throttle.get('k'), null);
    });

    test('recordFailure counts up within the window and get reads the count back', async (store) => {
      assert.deepEqual(await store.throttle.recordFailure('k', t0Ms, resetAfterMs), { failures: 1, lastFailureAtMs: t0Ms });
      assert.deepEqual(await store.throttle.recordFailure('k', t0Ms + minuteMs, resetAfterMs), { failures: 2, lastFailureAtMs: t0Ms + minuteMs });
      // Exactly resetAfterMs after the last failure is still inside the window.
      const edgeMs = t0Ms + minuteMs + resetAfterMs;
      assert.deepEqual(await store.throttle.recordFailure('k', edgeMs, resetAfterMs), { failures: 3, lastFailureAtMs: edgeMs });
      assert.deepEqual(await store.throttle.get('k'), { failures: 3, lastFailureAtMs: edgeMs });
    });

    test('recordFailure starts again at one once the last failure is older than resetAfterMs', async (store) => {
      await store.throttle.recordFailure('k', t0Ms, resetAfterMs);
      await store.throttle.recordFailure('k', t0Ms + 1, resetAfterMs);
      const laterMs = t0Ms + 1 + resetAfterMs + 1;
      assert.deepEqual(await store.throttle.recordFailure('k', laterMs, resetAfterMs), { failures: 1, lastFailureAtMs: laterMs });
      assert.deepEqual(await store.throttle.get('k'), { failures: 1, lastFailureAtMs: laterMs });
    });

    test('keys are counted separately', async (store) => {
      await store.throttle.recordFailure('account:a', t0Ms, resetAfterMs);
      await store.throttle.recordFailure('account:a', t0Ms, resetAfterMs);
      await store.throttle.recordFailure('ip:203.0.113.7', t0Ms, resetAfterMs);
      assert.equal((await store.throttle.get('account:a'))?.failures, 2);
      assert.equal((await store.throttle.get('ip:203.0.113.7'))?.failures, 1);
    });

    test('concurrent recordFailure calls on one key lose no count', async (store) => {
      // A lost update here would let a password-guessing burst slip under the limit.
      const attempts = 25;
      const results = await Promise.all(
        Array.from({ length: attempts }, (_, i) => store.throttle.recordFailure('k', t0Ms + i, resetAfterMs)),
      );
      assert.equal((await store.throttle.get('k'))?.failures, attempts);
      // Each call saw its own count: 1..attempts, each exactly once.
      assert.deepEqual(
        results.map((r) => r.failures).sort((a, b) => a - b),
        Array.from({ length: attempts }, (_, i) => i + 1),
      );
    });

    test('clear forgets one key and leaves the others', async (store) => {
      await store.throttle.recordFailure('a', t0Ms, resetAfterMs);
      await store.throttle.recordFailure('b', t0Ms, resetAfterMs);
      await store.throttle.clear('a');
      assert.equal(await store.throttle.get('a'), null);
      assert.deepEqual(await store.throttle.get('b'), { failures: 1, lastFailureAtMs: t0Ms });
      await store.throttle.clear('never-seen');
      // After clear the next failure counts from one again.
      assert.equal((await store.throttle.recordFailure('a', t0Ms + 1, resetAfterMs)).failures, 1);
    });

    test('deleteStale forgets keys idle for longer than resetAfterMs and counts them', async (store) => {
      const nowMs = t0Ms + 10 * resetAfterMs;
      await store.throttle.recordFailure('stale', nowMs - resetAfterMs - 1, resetAfterMs);
      await store.throttle.recordFailure('edge', nowMs - resetAfterMs, resetAfterMs);
      await store.throttle.recordFailure('fresh', nowMs - 1, resetAfterMs);

      assert.equal(await store.throttle.deleteStale(nowMs, resetAfterMs), 1);
      assert.equal(await store.throttle.get('stale'), null);
      assert.deepEqual(await store.throttle.get('edge'), { failures: 1, lastFailureAtMs: nowMs - resetAfterMs });
      assert.deepEqual(await store.throttle.get('fresh'), { failures: 1, lastFailureAtMs: nowMs - 1 });
      assert.equal(await store.throttle.deleteStale(nowMs, resetAfterMs), 0);
    });

    /** What an allowed reserve returns: the key's state before and after the attempt it counted. */
    const allowed = (before: ThrottleState | null, after: ThrottleState): ThrottleReservation => ({ allowed: true, before, after });
    const at = (failures: number, lastFailureAtMs: number): ThrottleState => ({ failures, lastFailureAtMs });

    /** Reserves and asserts it was allowed, returning the reservation to refund later. */
    async function reserveAllowed(store: Store, key: string, nowMs: number, r: ThrottleRuleShape = rule): Promise<Reservation> {
      const outcome = await store.throttle.reserve(key, nowMs, r);
      assert.ok(outcome.allowed, `expected ${key} to be allowed at +${nowMs - t0Ms} ms, got ${JSON.stringify(outcome)}`);
      return outcome;
    }

    test('reserve allows and counts the free attempts, then refuses with the remaining wait', async (store) => {
      for (let i = 1; i <= 5; i++) {
        assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), allowed(i === 1 ? null : at(i - 1, t0Ms), at(i, t0Ms)));
        assert.deepEqual(await store.throttle.get('k'), at(i, t0Ms));
      }
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), { allowed: false, waitMs: 1_000 });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 250, rule), { allowed: false, waitMs: 750 });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 999, rule), { allowed: false, waitMs: 1 });
      // Once the wait is over the next attempt is allowed, counted, and doubles the wait.
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), allowed(at(5, t0Ms), at(6, t0Ms + 1_000)));
      assert.deepEqual(await store.throttle.get('k'), at(6, t0Ms + 1_000));
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), { allowed: false, waitMs: 2_000 });
    });

    test('reserve’s before and after are what get reads, and agree with nextThrottleState', async (store) => {
      let previous: ThrottleState | null = null;
      for (const atMs of [t0Ms, t0Ms + 10, t0Ms + 20, t0Ms + 20 + resetAfterMs + 1]) {
        const outcome = await reserveAllowed(store, 'k', atMs);
        assert.deepEqual(outcome.before, previous);
        assert.deepEqual(outcome.after, nextThrottleState(previous, rule, atMs));
        assert.deepEqual(await store.throttle.get('k'), outcome.after);
        previous = outcome.after;
      }
    });

    test('a refused reserve changes nothing, so refusals never extend a lock', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      for (const atMs of [t0Ms, t0Ms + 1, t0Ms + 500, t0Ms + 999]) {
        const outcome = await store.throttle.reserve('k', atMs, rule);
        assert.deepEqual(outcome, { allowed: false, waitMs: t0Ms + 1_000 - atMs });
        assert.deepEqual(await store.throttle.get('k'), at(5, t0Ms), `after a refusal at +${atMs - t0Ms} ms`);
      }
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), allowed(at(5, t0Ms), at(6, t0Ms + 1_000)));
    });

    test('reserve uses the rule it is given', async (store) => {
      const strict: ThrottleRuleShape = { freeFailures: 1, baseDelayMs: 10_000, maxDelayMs: hourMs, resetAfterMs };
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, strict), allowed(null, at(1, t0Ms)));
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, strict), { allowed: false, waitMs: 10_000 });
      // The same state read under the looser rule is not locked.
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), allowed(at(1, t0Ms), at(2, t0Ms)));
    });

    test('reserve counts keys separately', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('account:a', t0Ms, rule);
      assert.equal((await store.throttle.reserve('account:a', t0Ms, rule)).allowed, false);
      assert.deepEqual(await store.throttle.reserve('account:b', t0Ms, rule), allowed(null, at(1, t0Ms)));
      assert.deepEqual(await store.throttle.get('account:b'), at(1, t0Ms));
      assert.equal(await store.throttle.get('ip:203.0.113.7'), null);
    });

    test('reserve starts again at one once the last counted attempt is older than resetAfterMs', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      await store.throttle.reserve('k', t0Ms + 1_000, rule);
      // Exactly resetAfterMs after the last attempt is still inside the window: the count goes on.
      const edgeMs = t0Ms + 1_000 + resetAfterMs;
      assert.deepEqual(await store.throttle.reserve('k', edgeMs, rule), allowed(at(6, t0Ms + 1_000), at(7, edgeMs)));
      assert.deepEqual(await store.throttle.get('k'), at(7, edgeMs));
      const laterMs = edgeMs + resetAfterMs + 1;
      assert.deepEqual(await store.throttle.reserve('k', laterMs, rule), allowed(at(7, edgeMs), at(1, laterMs)));
      assert.deepEqual(await store.throttle.get('k'), at(1, laterMs));
    });

    test('reserve lets a key in once resetAfterMs has passed, even if its wait was longer', async (store) => {
      const long: ThrottleRuleShape = { freeFailures: 5, baseDelayMs: 2 * resetAfterMs, maxDelayMs: 10 * resetAfterMs, resetAfterMs };
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, long);
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + resetAfterMs, long), { allowed: false, waitMs: resetAfterMs });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + resetAfterMs + 1, long), allowed(at(5, t0Ms), at(1, t0Ms + resetAfterMs + 1)));
      assert.deepEqual(await store.throttle.get('k'), at(1, t0Ms + resetAfterMs + 1));
    });

    test('refund restores the state before the reservation when nothing came in since, timestamp included', async (store) => {
      for (let i = 0; i < 4; i++) await store.throttle.reserve('k', t0Ms, rule);
      const last = await reserveAllowed(store, 'k', t0Ms + 500);
      assert.equal((await store.throttle.reserve('k', t0Ms + 500, rule)).allowed, false);
      await store.throttle.refund('k', last);
      assert.deepEqual(await store.throttle.get('k'), at(4, t0Ms));
      // The refunded attempt is free again, and only that one.
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 500, rule), allowed(at(4, t0Ms), at(5, t0Ms + 500)));
      assert.equal((await store.throttle.reserve('k', t0Ms + 500, rule)).allowed, false);
    });

    test('a refunded attempt does not renew an expired lock', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule); // locked until +1 s
      const late = await reserveAllowed(store, 'k', t0Ms + 1_000); // the 6th would lock until +3 s
      await store.throttle.refund('k', late);
      assert.deepEqual(await store.throttle.get('k'), at(5, t0Ms));
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), allowed(at(5, t0Ms), at(6, t0Ms + 1_000)));
    });

    test('refund of a reservation that reset an old count brings the old state back, still expired', async (store) => {
      for (let i = 0; i < 7; i++) await store.throttle.recordFailure('k', t0Ms, resetAfterMs);
      const laterMs = t0Ms + resetAfterMs + 1;
      const fresh = await reserveAllowed(store, 'k', laterMs);
      assert.deepEqual(fresh.after, at(1, laterMs));
      await store.throttle.refund('k', fresh);
      assert.deepEqual(await store.throttle.get('k'), at(7, t0Ms));
      assert.deepEqual(await store.throttle.reserve('k', laterMs, rule), allowed(at(7, t0Ms), at(1, laterMs)));
    });

    test('refund of a first reservation removes the row', async (store) => {
      const first = await reserveAllowed(store, 'k', t0Ms);
      assert.equal(first.before, null);
      await store.throttle.refund('k', first);
      assert.equal(await store.throttle.get('k'), null);
      assert.equal(await store.throttle.deleteStale(t0Ms + 10 * resetAfterMs, resetAfterMs), 0, 'no row left behind');
    });

    test('refund after other attempts came in takes back one failure and keeps the latest timestamp', async (store) => {
      await store.throttle.reserve('k', t0Ms, rule);
      const mine = await reserveAllowed(store, 'k', t0Ms + 100);
      await store.throttle.reserve('k', t0Ms + 200, rule);
      await store.throttle.reserve('k', t0Ms + 300, rule);
      await store.throttle.refund('k', mine);
      assert.deepEqual(await store.throttle.get('k'), at(3, t0Ms + 300));
    });

    test('refund of a first reservation after other attempts came in keeps the row, one failure less', async (store) => {
      const first = await reserveAllowed(store, 'k', t0Ms);
      await store.throttle.reserve('k', t0Ms + 100, rule);
      await store.throttle.refund('k', first);
      assert.deepEqual(await store.throttle.get('k'), at(1, t0Ms + 100));
    });

    test('refund after recordFailure or clear came in treats them as other attempts', async (store) => {
      const mine = await reserveAllowed(store, 'k', t0Ms);
      await store.throttle.recordFailure('k', t0Ms + 1, resetAfterMs);
      await store.throttle.refund('k', mine);
      assert.deepEqual(await store.throttle.get('k'), at(1, t0Ms + 1));

      const cleared = await reserveAllowed(store, 'c', t0Ms);
      await store.throttle.clear('c');
      await store.throttle.refund('c', cleared);
      assert.equal(await store.throttle.get('c'), null, 'a refund never brings a cleared key back');
    });

    test('refund never goes below zero', async (store) => {
      const first = await reserveAllowed(store, 'k', t0Ms);
      const second = await reserveAllowed(store, 'k', t0Ms);
      await store.throttle.clear('k');
      await store.throttle.recordFailure('k', t0Ms + 5, resetAfterMs);
      for (const reservation of [first, second, first, second]) await store.throttle.refund('k', reservation);
      assert.equal((await store.throttle.get('k'))?.failures ?? 0, 0);
      // From zero, the full allowance again.
      for (let i = 0; i < 5; i++) assert.equal((await store.throttle.reserve('k', t0Ms + 5, rule)).allowed, true, `attempt ${i + 1}`);
      assert.equal((await store.throttle.reserve('k', t0Ms + 5, rule)).allowed, false);
      assert.equal((await store.throttle.get('k'))?.failures, 5);
    });

    test('refund of a key never seen is a no-op', async (store) => {
      await store.throttle.recordFailure('other', t0Ms, resetAfterMs);
      await store.throttle.refund('never-seen', { before: null, after: at(1, t0Ms) });
      await store.throttle.refund('never-seen', { before: at(3, t0Ms - 1), after: at(4, t0Ms) });
      assert.equal(await store.throttle.get('never-seen'), null);
      assert.deepEqual(await store.throttle.get('other'), at(1, t0Ms));
    });

    test('refund touches only its own key', async (store) => {
      await store.throttle.reserve('a', t0Ms, rule);
      const a = await reserveAllowed(store, 'a', t0Ms + 1);
      const b = await reserveAllowed(store, 'b', t0Ms);
      await store.throttle.reserve('c', t0Ms, rule);
      await store.throttle.refund('a', a);
      assert.deepEqual(await store.throttle.get('a'), at(1, t0Ms));
      assert.deepEqual(await store.throttle.get('b'), at(1, t0Ms));
      // A reservation handed to another key with the same state is applied to that key only.
      await store.throttle.refund('c', b);
      assert.equal(await store.throttle.get('c'), null);
      assert.deepEqual(await store.throttle.get('b'), at(1, t0Ms));
    });

    test('concurrent reserve calls on one key allow exactly freeFailures of them', async (store) => {
      // The race this API exists for: 12 guesses at once must not all pass the check.
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => store.throttle.reserve('k', t0Ms, rule)));
      assert.equal(outcomes.filter((o) => o.allowed).length, 5);
      for (const o of outcomes) if (!o.allowed) assert.equal(o.waitMs, 1_000);
      // Each allowed call counted its own attempt: afters 1..5, each exactly once.
      assert.deepEqual(
        outcomes.flatMap((o) => (o.allowed ? [o.after.failures] : [])).sort((x, y) => x - y),
        [1, 2, 3, 4, 5],
      );
      assert.deepEqual(await store.throttle.get('k'), at(5, t0Ms));
    });

    test('concurrent reserve calls on a key past its wait let exactly one through', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => store.throttle.reserve('k', t0Ms + 1_000, rule)));
      assert.equal(outcomes.filter((o) => o.allowed).length, 1);
      assert.deepEqual(await store.throttle.get('k'), at(6, t0Ms + 1_000));
    });

    test('concurrent reserve and refund calls lose no update', async (store) => {
      const reservations = [await reserveAllowed(store, 'k', t0Ms), await reserveAllowed(store, 'k', t0Ms), await reserveAllowed(store, 'k', t0Ms)];
      // 3 refunds and 2 reserves interleaved: whatever the order, 3 - 3 + 2 = 2 (the count never
      // reaches the lock or goes below zero on the way, so every call takes effect).
      const [r1, r2, r3] = reservations as [Reservation, Reservation, Reservation];
      await Promise.all([
        store.throttle.refund('k', r1),
        store.throttle.reserve('k', t0Ms, rule),
        store.throttle.refund('k', r2),
        store.throttle.reserve('k', t0Ms, rule),
        store.throttle.refund('k', r3),
      ]);
      assert.deepEqual(await store.throttle.get('k'), at(2, t0Ms));
    });
  });
}
