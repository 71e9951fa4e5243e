import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultRetryPolicy, nextAttemptAt } from '../../../src/core/delivery/retry-schedule.ts';
import type { Random } from '../../../src/core/ports.ts';

const fixed = (byte: number): Random => ({ bytes: (n) => new Uint8Array(n).fill(byte) });
const policy = { baseDelayMs: 1000, maxDelayMs: 60_000, giveUpAfterMs: 3_600_000 };

describe('nextAttemptAt', () => {
  it('doubles the wait with each failed attempt, between half and all of it, up to the maximum', () => {
    const low = [1, 2, 3, 4, 10].map((attempts) => nextAttemptAt(policy, fixed(0), { attempts, createdAtMs: 0, retriedAtMs: null }, 0));
    assert.deepEqual(low, [500, 1000, 2000, 4000, 30_000]);
    const high = [1, 2, 3, 10].map((attempts) => nextAttemptAt(policy, fixed(255), { attempts, createdAtMs: 0, retriedAtMs: null }, 0));
    assert.deepEqual(high, [1000, 2000, 4000, 60_000]);
  });

  it('gives up once the next attempt would fall after the retry window, counted from the last operator retry', () => {
    assert.equal(nextAttemptAt(policy, fixed(0), { attempts: 1, createdAtMs: 0, retriedAtMs: null }, 3_600_000 - 500), 3_600_000);
    assert.equal(nextAttemptAt(policy, fixed(0), { attempts: 1, createdAtMs: 0, retriedAtMs: null }, 3_600_000 - 499), null);
    assert.equal(nextAttemptAt(policy, fixed(0), { attempts: 1, createdAtMs: 0, retriedAtMs: 10_000 }, 3_600_000), 3_600_500);
  });

  it('keeps trying for three days by default', () => {
    assert.equal(defaultRetryPolicy.giveUpAfterMs, 3 * 24 * 3_600_000);
  });
});
