import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError } from '../../../src/core/errors.ts';
import type { ThrottleState, ThrottleStore } from '../../../src/core/ports.ts';
import { createThrottle, remainingLockMs, type ThrottleKind, type ThrottleRule } from '../../../src/core/throttle/throttle.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { testThrottleRules } from '../../support/core-deps.ts';

const rule: ThrottleRule = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 900_000, resetAfterMs: 24 * 60 * 60 * 1000 };
const t0 = 1_000_000;

describe('remainingLockMs', () => {
  it('is 0 with no state', () => {
    assert.equal(remainingLockMs(null, rule, t0), 0);
  });

  it('is 0 while the failures are free', () => {
    for (let failures = 0; failures < rule.freeFailures; failures++) {
      assert.equal(remainingLockMs({ failures, lastFailureAtMs: t0 }, rule, t0), 0, `${failures} failures`);
    }
  });

  it('is baseDelayMs right after the last free failure, counting down with the clock', () => {
    const state = { failures: 5, lastFailureAtMs: t0 };
    assert.equal(remainingLockMs(state, rule, t0), 1_000);
    assert.equal(remainingLockMs(state, rule, t0 + 1), 999);
    assert.equal(remainingLockMs(state, rule, t0 + 999), 1);
    assert.equal(remainingLockMs(state, rule, t0 + 1_000), 0);
    assert.equal(remainingLockMs(state, rule, t0 + 5_000), 0, 'never negative');
  });

  it('doubles with every further failure', () => {
    const waits = [5, 6, 7, 8, 9, 10].map((failures) => remainingLockMs({ failures, lastFailureAtMs: t0 }, rule, t0));
    assert.deepEqual(waits, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('caps the wait at maxDelayMs', () => {
    // 1 s * 2^10 = 1024 s > 900 s
    assert.equal(remainingLockMs({ failures: 15, lastFailureAtMs: t0 }, rule, t0), 900_000);
    assert.equal(remainingLockMs({ failures: 14, lastFailureAtMs: t0 }, rule, t0), 512_000);
  });

  it('stays finite and capped for absurd failure counts', () => {
    assert.equal(remainingLockMs({ failures: 1_000_000, lastFailureAtMs: t0 }, rule, t0), 900_000);
    assert.equal(remainingLockMs({ failures: Number.MAX_SAFE_INTEGER, lastFailureAtMs: t0 }, rule, t0), 900_000);
  });

  it('forgets the failures once resetAfterMs has passed since the last one', () => {
    const longRule = { ...rule, maxDelayMs: 10 * rule.resetAfterMs };
    const state = { failures: 40, lastFailureAtMs: t0 };
    assert.ok(remainingLockMs(state, longRule, t0 + rule.resetAfterMs) > 0, 'still locked at exactly resetAfterMs');
    assert.equal(remainingLockMs(state, longRule, t0 + rule.resetAfterMs + 1), 0);
  });

  it('follows the signup rule: 10 free, then 10 s doubling up to 1 h', () => {
    const signup = testThrottleRules.signupIp;
    assert.equal(remainingLockMs({ failures: 9, lastFailureAtMs: t0 }, signup, t0), 0);
    assert.equal(remainingLockMs({ failures: 10, lastFailureAtMs: t0 }, signup, t0), 10_000);
    assert.equal(remainingLockMs({ failures: 11, lastFailureAtMs: t0 }, signup, t0), 20_000);
    assert.equal(remainingLockMs({ failures: 30, lastFailureAtMs: t0 }, signup, t0), 3_600_000);
  });
});

/**
 * A memory throttle store that also records which keys were written, so a test can read a
 * key's state back (the keys are HMACs: a test cannot compute them itself).
 */
function recordingStore(): { store: ThrottleStore; keys: Set<string>; keyOf(kind: ThrottleKind): string; stateOf(kind: ThrottleKind): Promise<ThrottleState | null> } {
  const inner = createMemoryStore().throttle;
  const keys = new Set<string>();
  const keyOf = (kind: ThrottleKind): string => {
    const found = [...keys].filter((k) => k.startsWith(`${kind}:`));
    assert.equal(found.length, 1, `expected exactly one ${kind} key, saw ${JSON.stringify([...keys])}`);
    return found[0] as string;
  };
  return {
    keys,
    keyOf,
    stateOf: (kind) => inner.get(keyOf(kind)),
    store: {
      get: (key) => inner.get(key),
      reserve: (key, nowMs, rule) => {
        keys.add(key);
        return inner.reserve(key, nowMs, rule);
      },
      refund: (key, reservation) => {
        keys.add(key);
        return inner.refund(key, reservation);
      },
      recordFailure: (key, nowMs, resetAfterMs) => {
        keys.add(key);
        return inner.recordFailure(key, nowMs, resetAfterMs);
      },
      clear: (key) => {
        keys.add(key);
        return inner.clear(key);
      },
      deleteStale: (nowMs, resetAfterMs) => inner.deleteStale(nowMs, resetAfterMs),
    },
  };
}

describe('createThrottle', () => {
  const secret = new Uint8Array(32).fill(7);
  const alice = [['account', 'alice@example.com']] as const;
  const ip = [['ip', '203.0.113.7']] as const;

  /** Reserves `checks` `times` times at `nowMs`; every one must be allowed. */
  async function reserveTimes(throttle: ReturnType<typeof createThrottle>, checks: ReadonlyArray<readonly [ThrottleKind, string]>, times: number, nowMs: number) {
    for (let i = 0; i < times; i++) await throttle.reserve(checks, nowMs);
  }

  it('check counts nothing and refuses only a locked key; recordFailure counts one failure, into the same counter reserve uses (docs/security.md SEC-191)', async () => {
    const { store, keys, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    for (let i = 0; i < 30; i++) await throttle.check('ip', '203.0.113.7', t0);
    assert.equal(keys.size, 0, 'checks write nothing');
    await reserveTimes(throttle, ip, 19, t0);
    await throttle.check('ip', '203.0.113.7', t0);
    await throttle.recordFailure('ip', '203.0.113.7', t0);
    assert.deepEqual(await stateOf('ip'), { failures: 20, lastFailureAtMs: t0 });
    assert.equal((await rejectsWithAuthError(throttle.check('ip', '203.0.113.7', t0 + 1), 'too_many_requests')).retryAfterSeconds, 1);
    await rejectsWithAuthError(throttle.reserve(ip, t0 + 1), 'too_many_requests');
    await throttle.check('ip', '203.0.113.8', t0 + 1);
    await throttle.check('ip', '203.0.113.7', t0 + 1_000);
  });

  it('allows the free attempts, then throws too_many_requests with retryAfterSeconds rounded up', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 5, t0);
    assert.deepEqual(await stateOf('account'), { failures: 5, lastFailureAtMs: t0 }, 'every allowed attempt is counted');

    const error = await rejectsWithAuthError(throttle.reserve(alice, t0 + 1), 'too_many_requests');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterSeconds, 1, 'ceil(999 ms / 1000)');
    assert.equal((await rejectsWithAuthError(throttle.reserve(alice, t0 + 999), 'too_many_requests')).retryAfterSeconds, 1, 'a 1 ms wait is still 1 s');

    await throttle.reserve(alice, t0 + 1_000);
    // The 6th attempt counted: the next wait doubles to 2 s, and 1 999 ms rounds up to 2 s.
    assert.equal((await rejectsWithAuthError(throttle.reserve(alice, t0 + 1_001), 'too_many_requests')).retryAfterSeconds, 2);
    assert.equal((await rejectsWithAuthError(throttle.reserve(alice, t0 + 1_999), 'too_many_requests')).retryAfterSeconds, 2);
    assert.equal((await rejectsWithAuthError(throttle.reserve(alice, t0 + 2_001), 'too_many_requests')).retryAfterSeconds, 1);
    await throttle.reserve(alice, t0 + 3_000);
  });

  it('refunds the keys already reserved when a later key refuses, and reports that key’s wait', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, ip, 3, t0);
    await reserveTimes(throttle, alice, 5, t0); // locked until t0 + 1 s
    assert.equal((await stateOf('account'))?.failures, 5);
    const ipBefore = await stateOf('ip');
    assert.deepEqual(ipBefore, { failures: 3, lastFailureAtMs: t0 });

    const error = await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 250), 'too_many_requests');
    assert.equal(error.retryAfterSeconds, 1, 'ceil(750 ms), the account’s wait');
    assert.equal((await stateOf('ip'))?.failures, 3, 'the IP reservation was taken back');
    assert.deepEqual(await stateOf('account'), { failures: 5, lastFailureAtMs: t0 }, 'the refusing key is unchanged');

    // Many refusals in a row never push the IP towards its own lock.
    for (let i = 0; i < 30; i++) await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 500), 'too_many_requests');
    assert.equal((await stateOf('ip'))?.failures, 3);
  });

  it('does not count the later keys when an earlier key refuses', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, ip, 20, t0);
    await reserveTimes(throttle, alice, 2, t0);
    const error = await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0), 'too_many_requests');
    assert.equal(error.retryAfterSeconds, 1);
    assert.deepEqual(await stateOf('ip'), { failures: 20, lastFailureAtMs: t0 });
    assert.deepEqual(await stateOf('account'), { failures: 2, lastFailureAtMs: t0 });
  });

  it('reports the longest wait among the keys checked (IP locked 1 s, account locked 4 s: 4 s)', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 5, t0);
    await throttle.reserve(alice, t0 + 1_000);
    await throttle.reserve(alice, t0 + 3_000); // account: 7 failures, locked 4 s from t0 + 3 s
    await reserveTimes(throttle, ip, 20, t0 + 3_000); // ip: 20 failures, locked 1 s from t0 + 3 s
    const error = await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 3_000), 'too_many_requests');
    assert.equal(error.retryAfterSeconds, 4);
    // Looking at the later key's wait does not count an attempt against it.
    assert.deepEqual(await stateOf('account'), { failures: 7, lastFailureAtMs: t0 + 3_000 });
    assert.deepEqual(await stateOf('ip'), { failures: 20, lastFailureAtMs: t0 + 3_000 });
    // Half a second later the IP would still say 1 s, the account 3.5 s.
    assert.equal((await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 3_500), 'too_many_requests')).retryAfterSeconds, 4);
  });

  it('reports the refusing key’s wait when it is the longest, and ignores later keys that are not locked', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, ip, 20, t0);
    await throttle.reserve(ip, t0 + 1_000);
    await throttle.reserve(ip, t0 + 3_000); // ip: 22 failures, locked 4 s from t0 + 3 s
    await reserveTimes(throttle, alice, 5, t0 + 2_500); // account: locked 1 s from t0 + 2.5 s
    assert.equal((await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 3_000), 'too_many_requests')).retryAfterSeconds, 4);
    await throttle.clear('account', 'alice@example.com');
    assert.equal((await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 3_000), 'too_many_requests')).retryAfterSeconds, 4);
    assert.equal(await stateOf('account'), null, 'a later key is only read, never counted, when an earlier one refuses');
  });

  it('keeps one key per value however many other values come between (the recent keys are a bounded cache, never the source)', async () => {
    const { store, keys } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await throttle.recordFailure('ip', '203.0.113.7', t0);
    for (let i = 0; i < 1_500; i++) await throttle.recordFailure('account', `user${i}@example.com`, t0);
    await throttle.recordFailure('ip', '203.0.113.7', t0);
    await throttle.recordFailure('ip', '203.0.113.9', t0); // the same /64 rule does not apply to IPv4: another key
    const again = createThrottle(store, testThrottleRules, secret);
    await again.recordFailure('ip', '203.0.113.7', t0);
    assert.equal(keys.size, 1_502, 'one row per value: a value evicted from the cache gets the same key back');
    const ipStates = await Promise.all([...keys].filter((key) => key.startsWith('ip:')).map((key) => store.get(key)));
    assert.deepEqual(ipStates.map((state) => state?.failures).sort(), [1, 3]);
  });

  it('leaves an earlier key exactly as it was when a later key refuses (its lastFailureAtMs too)', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, ip, 20, t0); // ip locked until t0 + 1 s
    await reserveTimes(throttle, alice, 5, t0 + 500); // account locked until t0 + 1.5 s
    await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0 + 1_000), 'too_many_requests');
    assert.deepEqual(await stateOf('ip'), { failures: 20, lastFailureAtMs: t0 });
    await throttle.reserve(ip, t0 + 1_000); // the IP's own lock is over: a refused attempt must not have renewed it
  });

  it('removes a key reserved for the first time when a later key refuses', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 5, t0);
    await rejectsWithAuthError(throttle.reserve([...ip, ...alice], t0), 'too_many_requests');
    assert.equal(await stateOf('ip'), null, 'back to no row at all, as before the attempt');
  });

  it('refunds the keys already reserved and rethrows when the store fails on a later key', async () => {
    const { store, stateOf } = recordingStore();
    const failure = new Error('database is down');
    let failAccount = false;
    const failing: ThrottleStore = {
      ...store,
      reserve: (key, nowMs, r) => (failAccount && key.startsWith('account:') ? Promise.reject(failure) : store.reserve(key, nowMs, r)),
    };
    const throttle = createThrottle(failing, testThrottleRules, secret);
    await reserveTimes(throttle, [...ip, ...alice], 3, t0);
    failAccount = true;
    await assert.rejects(throttle.reserve([...ip, ...alice], t0 + 500), (error) => error === failure);
    assert.deepEqual(await stateOf('ip'), { failures: 3, lastFailureAtMs: t0 }, 'the IP reservation was taken back');
    assert.deepEqual(await stateOf('account'), { failures: 3, lastFailureAtMs: t0 });
  });

  it('rethrows the store’s error even when refunding the earlier keys fails too', async () => {
    const { store } = recordingStore();
    const failure = new Error('database is down');
    const failing: ThrottleStore = {
      ...store,
      reserve: (key, nowMs, r) => (key.startsWith('account:') ? Promise.reject(failure) : store.reserve(key, nowMs, r)),
      refund: () => Promise.reject(new Error('still down')),
    };
    const throttle = createThrottle(failing, testThrottleRules, secret);
    await assert.rejects(throttle.reserve([...ip, ...alice], t0), (error) => error === failure);
  });

  it('keeps kinds apart: the same value under another kind is not locked', async () => {
    const { store, keys } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, [['account', 'shared-value']], 5, t0);
    await rejectsWithAuthError(throttle.reserve([['account', 'shared-value']], t0), 'too_many_requests');
    await throttle.reserve([['ip', 'shared-value'], ['signupIp', 'shared-value']], t0);
    assert.equal(keys.size, 3, 'three kinds, three keys');
  });

  it('applies each kind’s own rule', async () => {
    const cases: Array<[ThrottleKind, number, number]> = [
      ['account', 5, 1],
      ['ip', 20, 1],
      ['signupIp', 10, 10],
    ];
    for (const [kind, free, firstWaitSeconds] of cases) {
      const { store, stateOf } = recordingStore();
      const throttle = createThrottle(store, testThrottleRules, secret);
      const checks = [[kind, 'same-value']] as const;
      await reserveTimes(throttle, checks, free, t0);
      const error = await rejectsWithAuthError(throttle.reserve(checks, t0), 'too_many_requests');
      assert.equal(error.retryAfterSeconds, firstWaitSeconds, kind);
      assert.equal((await stateOf(kind))?.failures, free, kind);
    }
  });

  it('clear() lifts a lock at once and forgets the count', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 5, t0);
    await rejectsWithAuthError(throttle.reserve(alice, t0), 'too_many_requests');
    await throttle.clear('account', 'alice@example.com');
    assert.equal(await stateOf('account'), null);
    await reserveTimes(throttle, alice, 5, t0);
    await rejectsWithAuthError(throttle.reserve(alice, t0), 'too_many_requests');
  });

  it('ticket.refund() puts a key back exactly as it was when nothing came in since, timestamp included', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 4, t0);
    const ticket = await throttle.reserve(alice, t0 + 500);
    assert.deepEqual(await stateOf('account'), { failures: 5, lastFailureAtMs: t0 + 500 });
    await ticket.refund('account');
    assert.deepEqual(await stateOf('account'), { failures: 4, lastFailureAtMs: t0 });
    await throttle.reserve(alice, t0 + 500); // the refunded attempt is free again...
    await rejectsWithAuthError(throttle.reserve(alice, t0 + 500), 'too_many_requests'); // ...but only that one
  });

  it('ticket.refund() of a first attempt leaves no row behind', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    const ticket = await throttle.reserve([...ip, ...alice], t0);
    await ticket.refund('ip');
    await ticket.refund('account');
    assert.equal(await stateOf('ip'), null);
    assert.equal(await stateOf('account'), null);
  });

  it('a refunded attempt does not renew an expired lock', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, ip, 20, t0); // locked until t0 + 1 s
    const ticket = await throttle.reserve(ip, t0 + 1_000); // the 21st: would lock for 2 s more
    await ticket.refund('ip');
    assert.deepEqual(await stateOf('ip'), { failures: 20, lastFailureAtMs: t0 }, 'the old timestamp is back, so the old lock stays expired');
    await throttle.reserve(ip, t0 + 1_000);
    await rejectsWithAuthError(throttle.reserve(ip, t0 + 1_000), 'too_many_requests');
  });

  it('ticket.refund() takes back only one failure when other attempts came in since', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 2, t0);
    const ticket = await throttle.reserve(alice, t0 + 100); // 3
    await reserveTimes(throttle, alice, 2, t0 + 200); // 5, locked
    await ticket.refund('account');
    assert.deepEqual(await stateOf('account'), { failures: 4, lastFailureAtMs: t0 + 200 }, 'one failure less, the latest timestamp kept');
    await throttle.reserve(alice, t0 + 200);
    await rejectsWithAuthError(throttle.reserve(alice, t0 + 200), 'too_many_requests');
  });

  it('a ticket refunds each kind once: further calls for that kind are no-ops', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, [...ip, ...alice], 3, t0);
    const ticket = await throttle.reserve([...ip, ...alice], t0 + 100);
    await reserveTimes(throttle, [...ip, ...alice], 1, t0 + 200); // intervening: refunds decrement
    for (let i = 0; i < 5; i++) await ticket.refund('account');
    assert.deepEqual(await stateOf('account'), { failures: 4, lastFailureAtMs: t0 + 200 });
    assert.deepEqual(await stateOf('ip'), { failures: 5, lastFailureAtMs: t0 + 200 }, 'refunding one kind leaves the others counted');
    await ticket.refund('ip');
    await ticket.refund('ip');
    assert.deepEqual(await stateOf('ip'), { failures: 4, lastFailureAtMs: t0 + 200 });
  });

  it('a ticket refunds each kind once even when the refunds run concurrently', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 3, t0);
    const ticket = await throttle.reserve(alice, t0 + 100);
    await Promise.all(Array.from({ length: 5 }, () => ticket.refund('account')));
    assert.deepEqual(await stateOf('account'), { failures: 3, lastFailureAtMs: t0 });
  });

  it('ticket.refund() of a kind the ticket did not reserve is a no-op', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, ip, 3, t0);
    const ticket = await throttle.reserve(alice, t0);
    await ticket.refund('ip');
    await ticket.refund('signupIp');
    assert.deepEqual(await stateOf('ip'), { failures: 3, lastFailureAtMs: t0 });
    assert.deepEqual(await stateOf('account'), { failures: 1, lastFailureAtMs: t0 });
  });

  it('ticket.refund() after the key was cleared is a no-op', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    const ticket = await throttle.reserve(alice, t0);
    await throttle.clear('account', 'alice@example.com');
    await ticket.refund('account');
    assert.equal(await stateOf('account'), null);
    await reserveTimes(throttle, alice, 5, t0);
    await rejectsWithAuthError(throttle.reserve(alice, t0), 'too_many_requests');
  });

  it('restarts the count when the last counted attempt is older than resetAfterMs', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    const resetMs = testThrottleRules.account.resetAfterMs;
    await reserveTimes(throttle, alice, 5, t0);
    await throttle.reserve(alice, t0 + 1_000);
    await throttle.reserve(alice, t0 + 3_000); // 7 failures: the next wait is 4 s
    const later = t0 + 3_000 + resetMs + 1;
    await throttle.reserve(alice, later);
    assert.deepEqual(await stateOf('account'), { failures: 1, lastFailureAtMs: later });
    await reserveTimes(throttle, alice, 4, later);
    const error = await rejectsWithAuthError(throttle.reserve(alice, later), 'too_many_requests');
    assert.equal(error.retryAfterSeconds, 1, 'back to the first wait');
  });

  it('refused attempts do not extend the lock', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    await reserveTimes(throttle, alice, 5, t0);
    for (const at of [t0, t0 + 1, t0 + 500, t0 + 999]) {
      await rejectsWithAuthError(throttle.reserve(alice, at), 'too_many_requests');
    }
    assert.deepEqual(await stateOf('account'), { failures: 5, lastFailureAtMs: t0 }, 'neither the count nor the time moved');
    await throttle.reserve(alice, t0 + 1_000);
  });

  it('lets exactly the free attempts through when they arrive concurrently (SEC-89)', async () => {
    const { store, stateOf } = recordingStore();
    const throttle = createThrottle(store, testThrottleRules, secret);
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => throttle.reserve(alice, t0)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 5);
    for (const r of results) {
      if (r.status === 'rejected') assert.ok(r.reason instanceof AuthError && r.reason.code === 'too_many_requests', String(r.reason));
    }
    assert.deepEqual(await stateOf('account'), { failures: 5, lastFailureAtMs: t0 });
  });

  it('stores HMAC keys, not the email or IP, and they depend on the server secret (SEC-88)', async () => {
    const first = recordingStore();
    const second = recordingStore();
    const throttle = createThrottle(first.store, testThrottleRules, secret);
    const ticket = await throttle.reserve([...ip, ...alice, ['signupIp', '203.0.113.7']], t0);
    await ticket.refund('ip');
    await throttle.clear('account', 'alice@example.com');
    await createThrottle(second.store, testThrottleRules, new Uint8Array(32).fill(8)).reserve(alice, t0);

    const keys = [...first.keys];
    assert.equal(keys.length, 3, 'one key per kind and value, the same for reserve, refund and clear');
    for (const key of [...keys, ...second.keys]) {
      assert.match(key, /^(account|ip|signupIp):[A-Za-z0-9_-]{32}$/);
      assert.ok(!key.includes('alice') && !key.includes('example') && !key.includes('203.0.113.7'), key);
    }
    assert.notEqual(second.keyOf('account'), first.keyOf('account'), 'another secret, another key');
  });
});
