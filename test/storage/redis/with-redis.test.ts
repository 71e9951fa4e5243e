import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import type { Store } from '../../../src/core/ports.ts';
import { openPostgresStore } from '../../../src/storage/sql/postgres.ts';
import { withRedis } from '../../../src/storage/redis/with-redis.ts';
import { createTestDatabase } from '../../support/postgres.ts';
import { testRedisPrefix, testRedisUrl } from '../../support/redis.ts';
import { t0Ms } from '../contract/fixtures.ts';

/**
 * Revocation fan-out between two "instances" (two stores on one PostgreSQL database, each with
 * its own Redis connections): a committed revocation on one wakes the watchers of the other;
 * a rolled-back one announces nothing. Notices from one publisher arrive in order, so "the next
 * notice is the committed one" is checked without waiting for something not to happen.
 */
describe('withRedis: revocation notices reach every instance', () => {
  let one: Store;
  let two: Store;
  before(async () => {
    const url = await createTestDatabase();
    const prefix = testRedisPrefix();
    const options = { url: testRedisUrl(), keyPrefix: prefix, commandTimeoutMs: 1000 };
    one = withRedis(await openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 2 } }), options);
    two = withRedis(await openPostgresStore(url, { migrate: 'never', pool: { maxConnections: 2 } }), options);
    // Both subscriber connections must have their SUBSCRIBE in place before anything is published.
    const probe = new Redis(testRedisUrl());
    try {
      for (;;) {
        const [, subscribers] = (await probe.pubsub('NUMSUB', `${prefix}revocations`)) as [string, number];
        if (Number(subscribers) >= 2) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      probe.disconnect();
    }
  });
  after(async () => {
    await Promise.all([one?.close(), two?.close()]);
  });

  const entry = (sid: string) => ({ sid, jti: null, expiresAtMs: t0Ms + 60_000, createdAtMs: t0Ms, reason: 'logout' });

  it('the console census reads the throttle counters where they are: in Redis, shared by both instances', async () => {
    for (let i = 0; i < 4; i++) await one.throttle.recordFailure('account:census-probe', Date.now(), 60_000);
    const found = await two.throttleCensus.counters({ keyPrefix: 'account:census-probe', minFailures: 4, sinceMs: 0, limit: 10 });
    assert.equal(found.length, 1, 'the other instance counts the lock recorded in Redis');
    assert.deepEqual(await two.throttle.get('account:census-probe'), found[0]);
  });

  it('a revocation committed on one instance wakes the watchers of the other, once the entry is readable', async () => {
    const seen: number[] = [];
    let wake: () => void = () => undefined;
    const unwatch = two.revocations.watch?.(() => {
      void two.revocations.latestSeq().then((seq) => {
        seen.push(seq);
        wake();
      });
    });
    assert.ok(unwatch !== undefined, 'withRedis must offer watch()');
    const next = (): Promise<void> => new Promise((resolve) => (wake = resolve));

    let notice = next();
    await assert.rejects(
      one.transaction(async (tx) => {
        await tx.revocations.append(entry('rolled-back'));
        throw new Error('abort');
      }),
      /abort/,
    );
    await one.transaction(async (tx) => tx.revocations.append(entry('committed')));
    await notice;
    // The first notice read an entry: the rolled-back append announced nothing ahead of it.
    assert.equal(seen.length, 1);
    const [committed] = await two.revocations.listAfter(0, 10);
    assert.equal(committed?.sid, 'committed');
    assert.equal(seen[0], committed?.seq);

    notice = next();
    await one.revocations.append(entry('outside a transaction'));
    await notice;
    assert.equal(seen.length, 2);
    unwatch?.();
  });
});
