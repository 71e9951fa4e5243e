// The console counts locked accounts where the throttle counters are: on real Redis (the
// throwaway server of this `npm test` run).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRedisThrottleStore } from '../../../src/storage/redis/redis-throttle.ts';
import { createRedisThrottleCensus } from '../../../src/storage/redis/redis-throttle-census.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { minuteMs, t0Ms } from '../contract/fixtures.ts';

const client = new Redis(testRedisUrl());
after(() => client.quit());

describe('Redis throttle census', () => {
  it('finds the account counters with enough recent failures under its own prefix, and no others', async () => {
    const prefix = testRedisPrefix();
    const store = createRedisThrottleStore(client, prefix);
    const neighbour = createRedisThrottleStore(client, testRedisPrefix());
    for (let i = 0; i < 5; i++) await store.recordFailure('account:locked', t0Ms + i, minuteMs);
    for (let i = 0; i < 2; i++) await store.recordFailure('account:few', t0Ms, minuteMs);
    for (let i = 0; i < 5; i++) await store.recordFailure('ip:many', t0Ms, minuteMs);
    for (let i = 0; i < 5; i++) await neighbour.recordFailure('account:elsewhere', t0Ms, minuteMs);
    const census = createRedisThrottleCensus(client, prefix);
    assert.deepEqual(await census.counters({ keyPrefix: 'account:', minFailures: 3, sinceMs: t0Ms, limit: 10 }), [{ failures: 5, lastFailureAtMs: t0Ms + 4 }]);
    assert.deepEqual(await census.counters({ keyPrefix: 'account:', minFailures: 3, sinceMs: t0Ms + 5, limit: 10 }), [], 'too old');
    assert.equal((await census.counters({ keyPrefix: 'account:', minFailures: 1, sinceMs: 0, limit: 1 })).length, 1, 'at most limit');
  });
});
