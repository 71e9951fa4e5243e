import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { ThrottleRuleShape } from '../../../src/core/ports.ts';
import { hourMs, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function throttleContract(open: OpenStore): void {
  const test = storeTest(open);
  const resetAfterMs = 15 * minuteMs;
  // 5 free attempts, then 1 s, 2 s, 4 s... up to 1 min; forgotten 15 min after the last one.
  const rule: ThrottleRuleShape = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: minuteMs, resetAfterMs };

  describe('throttle', () => {
    test('get returns null for a key with no failures', async (store) => {
      assert.equal(await store.throttle.get('account:unknown'), null);
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

    test('reserve allows and counts the free attempts, then refuses with the remaining wait', async (store) => {
      for (let i = 1; i <= 5; i++) {
        assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), { allowed: true });
        assert.deepEqual(await store.throttle.get('k'), { failures: i, lastFailureAtMs: t0Ms });
      }
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), { allowed: false, waitMs: 1_000 });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 250, rule), { allowed: false, waitMs: 750 });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 999, rule), { allowed: false, waitMs: 1 });
      // Once the wait is over the next attempt is allowed, counted, and doubles the wait.
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), { allowed: true });
      assert.deepEqual(await store.throttle.get('k'), { failures: 6, lastFailureAtMs: t0Ms + 1_000 });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), { allowed: false, waitMs: 2_000 });
    });

    test('a refused reserve changes nothing, so refusals never extend a lock', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      for (const atMs of [t0Ms, t0Ms + 1, t0Ms + 500, t0Ms + 999]) {
        const outcome = await store.throttle.reserve('k', atMs, rule);
        assert.deepEqual(outcome, { allowed: false, waitMs: t0Ms + 1_000 - atMs });
        assert.deepEqual(await store.throttle.get('k'), { failures: 5, lastFailureAtMs: t0Ms }, `after a refusal at +${atMs - t0Ms} ms`);
      }
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + 1_000, rule), { allowed: true });
    });

    test('reserve uses the rule it is given', async (store) => {
      const strict: ThrottleRuleShape = { freeFailures: 1, baseDelayMs: 10_000, maxDelayMs: hourMs, resetAfterMs };
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, strict), { allowed: true });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, strict), { allowed: false, waitMs: 10_000 });
      // The same state read under the looser rule is not locked.
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), { allowed: true });
    });

    test('reserve counts keys separately', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('account:a', t0Ms, rule);
      assert.equal((await store.throttle.reserve('account:a', t0Ms, rule)).allowed, false);
      assert.deepEqual(await store.throttle.reserve('account:b', t0Ms, rule), { allowed: true });
      assert.deepEqual(await store.throttle.get('account:b'), { failures: 1, lastFailureAtMs: t0Ms });
      assert.equal(await store.throttle.get('ip:203.0.113.7'), null);
    });

    test('reserve starts again at one once the last counted attempt is older than resetAfterMs', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      await store.throttle.reserve('k', t0Ms + 1_000, rule);
      // Exactly resetAfterMs after the last attempt is still inside the window: the count goes on.
      const edgeMs = t0Ms + 1_000 + resetAfterMs;
      assert.deepEqual(await store.throttle.reserve('k', edgeMs, rule), { allowed: true });
      assert.deepEqual(await store.throttle.get('k'), { failures: 7, lastFailureAtMs: edgeMs });
      const laterMs = edgeMs + resetAfterMs + 1;
      assert.deepEqual(await store.throttle.reserve('k', laterMs, rule), { allowed: true });
      assert.deepEqual(await store.throttle.get('k'), { failures: 1, lastFailureAtMs: laterMs });
    });

    test('reserve lets a key in once resetAfterMs has passed, even if its wait was longer', async (store) => {
      const long: ThrottleRuleShape = { freeFailures: 5, baseDelayMs: 2 * resetAfterMs, maxDelayMs: 10 * resetAfterMs, resetAfterMs };
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, long);
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + resetAfterMs, long), { allowed: false, waitMs: resetAfterMs });
      assert.deepEqual(await store.throttle.reserve('k', t0Ms + resetAfterMs + 1, long), { allowed: true });
      assert.deepEqual(await store.throttle.get('k'), { failures: 1, lastFailureAtMs: t0Ms + resetAfterMs + 1 });
    });

    test('refund takes back one counted attempt and never goes below zero', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      assert.equal((await store.throttle.reserve('k', t0Ms, rule)).allowed, false);
      await store.throttle.refund('k');
      assert.equal((await store.throttle.get('k'))?.failures, 4);
      // The refunded attempt is free again, and only that one.
      assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), { allowed: true });
      assert.equal((await store.throttle.reserve('k', t0Ms, rule)).allowed, false);

      for (let i = 0; i < 8; i++) await store.throttle.refund('k');
      assert.equal((await store.throttle.get('k'))?.failures ?? 0, 0);
      // From zero, the full allowance again.
      for (let i = 0; i < 5; i++) assert.deepEqual(await store.throttle.reserve('k', t0Ms, rule), { allowed: true }, `attempt ${i + 1}`);
      assert.equal((await store.throttle.reserve('k', t0Ms, rule)).allowed, false);
      assert.equal((await store.throttle.get('k'))?.failures, 5);
    });

    test('refund of a key never seen is a no-op', async (store) => {
      await store.throttle.recordFailure('other', t0Ms, resetAfterMs);
      await store.throttle.refund('never-seen');
      assert.equal(await store.throttle.get('never-seen'), null);
      assert.deepEqual(await store.throttle.get('other'), { failures: 1, lastFailureAtMs: t0Ms });
    });

    test('refund touches only its own key', async (store) => {
      await store.throttle.reserve('a', t0Ms, rule);
      await store.throttle.reserve('a', t0Ms, rule);
      await store.throttle.reserve('b', t0Ms, rule);
      await store.throttle.refund('a');
      assert.equal((await store.throttle.get('a'))?.failures, 1);
      assert.deepEqual(await store.throttle.get('b'), { failures: 1, lastFailureAtMs: t0Ms });
    });

    test('concurrent reserve calls on one key allow exactly freeFailures of them', async (store) => {
      // The race this API exists for: 12 guesses at once must not all pass the check.
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => store.throttle.reserve('k', t0Ms, rule)));
      assert.equal(outcomes.filter((o) => o.allowed).length, 5);
      for (const o of outcomes) if (!o.allowed) assert.equal(o.waitMs, 1_000);
      assert.deepEqual(await store.throttle.get('k'), { failures: 5, lastFailureAtMs: t0Ms });
    });

    test('concurrent reserve calls on a key past its wait let exactly one through', async (store) => {
      for (let i = 0; i < 5; i++) await store.throttle.reserve('k', t0Ms, rule);
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => store.throttle.reserve('k', t0Ms + 1_000, rule)));
      assert.equal(outcomes.filter((o) => o.allowed).length, 1);
      assert.deepEqual(await store.throttle.get('k'), { failures: 6, lastFailureAtMs: t0Ms + 1_000 });
    });

    test('concurrent reserve and refund calls lose no update', async (store) => {
      for (let i = 0; i < 3; i++) await store.throttle.reserve('k', t0Ms, rule);
      // 3 refunds and 2 reserves interleaved: whatever the order, 3 - 3 + 2 = 2 (the count never
      // reaches the lock or goes below zero on the way, so every call takes effect).
      await Promise.all([
        store.throttle.refund('k'),
        store.throttle.reserve('k', t0Ms, rule),
        store.throttle.refund('k'),
        store.throttle.reserve('k', t0Ms, rule),
        store.throttle.refund('k'),
      ]);
      assert.equal((await store.throttle.get('k'))?.failures, 2);
    });
  });
}
