import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function throttleContract(open: OpenStore): void {
  const test = storeTest(open);
  const resetAfterMs = 15 * minuteMs;

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
  });
}
