import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createRedisThrottleStore } from '../../../src/storage/redis/redis-throttle.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { throttleContract } from '../contract/throttle.ts';
import { minuteMs, t0Ms } from '../contract/fixtures.ts';

/**
 * The throttle part of the storage contract on real Redis (the throwaway server of this
 * `npm test` run): the same tests the memory, SQLite and PostgreSQL stores pass. Every test gets
 * a key prefix of its own, so it starts empty.
 */
const client = new Redis(testRedisUrl());
after(() => client.quit());

throttleContract(async () => ({ ...createMemoryStore(), throttle: createRedisThrottleStore(client, testRedisPrefix()) }));

describe('Redis throttle store', () => {
  it('keeps its counters under its own prefix, with an expiry, and deleteStale leaves other prefixes alone', async () => {
    const prefix = testRedisPrefix();
    const other = testRedisPrefix();
    const store = createRedisThrottleStore(client, prefix);
    const neighbour = createRedisThrottleStore(client, other);
    await store.recordFailure('account:x', t0Ms, minuteMs);
    await neighbour.recordFailure('account:x', t0Ms, minuteMs);
    assert.deepEqual(await client.keys(`${prefix}*`), [`${prefix}throttle:account:x`]);
    const ttlMs = await client.pttl(`${prefix}throttle:account:x`);
    assert.ok(ttlMs > minuteMs && ttlMs <= 2 * minuteMs, `a counter expires by itself once its window is over (pttl ${ttlMs})`);
    assert.equal(await store.deleteStale(t0Ms + 10 * minuteMs, minuteMs), 1);
    assert.deepEqual(await neighbour.get('account:x'), { failures: 1, lastFailureAtMs: t0Ms });
  });
});
