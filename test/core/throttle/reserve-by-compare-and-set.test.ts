import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ThrottleCompareAndSet, ThrottleRuleShape, ThrottleState } from '../../../src/core/ports.ts';
import { maxReserveAttempts, reserveByCompareAndSet } from '../../../src/core/throttle/reserve-by-compare-and-set.ts';

const rule: ThrottleRuleShape = { freeFailures: 2, baseDelayMs: 1_000, maxDelayMs: 60_000, resetAfterMs: 3_600_000 };

/** One counter in a map; `losses` compare-and-sets fail as if another writer had just changed the key. */
function counters(initial: ThrottleState | null, losses = 0): ThrottleCompareAndSet & { writes: number; state: () => ThrottleState | null } {
  let state = initial;
  let toLose = losses;
  let writes = 0;
  return {
    get writes() {
      return writes;
    },
    state: () => state,
    async get() {
      return state === null ? null : { ...state };
    },
    async compareAndSet(_key, expected, next) {
      if (toLose > 0) {
        toLose--;
        return false;
      }
      const same = expected === null ? state === null : state !== null && state.failures === expected.failures && state.lastFailureAtMs === expected.lastFailureAtMs;
      if (!same) return false;
      state = { ...next };
      writes++;
      return true;
    },
  };
}

describe('reserveByCompareAndSet', () => {
  it('counts an allowed attempt and returns the state before and after it', async () => {
    const c = counters(null);
    const outcome = await reserveByCompareAndSet(c, 'k', 10_000, rule);
    assert.deepEqual(outcome, { allowed: true, before: null, after: { failures: 1, lastFailureAtMs: 10_000 } });
    assert.deepEqual(c.state(), { failures: 1, lastFailureAtMs: 10_000 });
  });

  it('refuses a locked key without writing (a refused attempt never extends the lock)', async () => {
    const c = counters({ failures: 2, lastFailureAtMs: 10_000 });
    const outcome = await reserveByCompareAndSet(c, 'k', 10_500, rule);
    assert.deepEqual(outcome, { allowed: false, waitMs: 500 });
    assert.equal(c.writes, 0);
  });

  it('reads again after a lost race and then succeeds', async () => {
    const c = counters({ failures: 1, lastFailureAtMs: 10_000 }, 3);
    const outcome = await reserveByCompareAndSet(c, 'k', 20_000, rule);
    assert.equal(outcome.allowed, true);
    assert.deepEqual(c.state(), { failures: 2, lastFailureAtMs: 20_000 });
  });

  it(`fails closed for a second after ${maxReserveAttempts} lost races, writing nothing`, async () => {
    const c = counters(null, maxReserveAttempts);
    assert.deepEqual(await reserveByCompareAndSet(c, 'k', 10_000, rule), { allowed: false, waitMs: 1000 });
    assert.equal(c.writes, 0);
    assert.equal(c.state(), null);
  });
});
