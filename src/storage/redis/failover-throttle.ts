import type { ThrottleReservation, ThrottleStore } from '../../core/ports.ts';
import { remainingLockMs } from '../../core/throttle/throttle.ts';
import type { RedisConnection } from './redis-connection.ts';

type Allowed = Extract<ThrottleReservation, { allowed: true }>;

/**
 * Throttle counters in Redis while it answers, in the database while it does not: a limit
 * never turns into "unlimited" because Redis is down. Every call that fails on Redis is made
 * again on the database at once, and Redis is tried again (after a one-second pause) on the
 * next call, so it is picked up again by itself once it is back.
 *
 * The two sets of counters are separate, but a lock earned in the database during an outage
 * still holds once Redis is back: a reservation on Redis first checks the database counter (one
 * primary-key read, next to a password hash). A refund goes to the store that counted the
 * attempt; one that cannot reach it is dropped, which only ever leaves a counter one higher
 * (stricter), never lower.
 */
export function createFailoverThrottleStore(redis: ThrottleStore, database: ThrottleStore, connection: Pick<RedisConnection, 'isUp' | 'reportFailure'>): ThrottleStore {
  const countedInDatabase = new WeakSet<Allowed>();
  const either = async <T>(onRedis: () => Promise<T>, onDatabase: () => Promise<T>): Promise<T> => {
    if (connection.isUp()) {
      try {
        return await onRedis();
      } catch (error) {
        connection.reportFailure(error);
      }
    }
    return onDatabase();
  };
  return {
    get: (key) => either(() => redis.get(key), () => database.get(key)),
    recordFailure: (key, nowMs, resetAfterMs) =>
      either(() => redis.recordFailure(key, nowMs, resetAfterMs), () => database.recordFailure(key, nowMs, resetAfterMs)),
    async reserve(key, nowMs, rule) {
      if (connection.isUp()) {
        const waitMs = remainingLockMs(await database.get(key), rule, nowMs);
        if (waitMs > 0) return { allowed: false, waitMs };
      }
      return either(
        () => redis.reserve(key, nowMs, rule),
        async () => {
          const outcome = await database.reserve(key, nowMs, rule);
          if (outcome.allowed) countedInDatabase.add(outcome);
          return outcome;
        },
      );
    },
    async refund(key, reservation) {
      if (countedInDatabase.has(reservation as Allowed)) return database.refund(key, reservation);
      if (!connection.isUp()) return;
      try {
        await redis.refund(key, reservation);
      } catch (error) {
        connection.reportFailure(error);
      }
    },
    async clear(key) {
      // Both: a counter left in the database from an outage must not outlive a successful login.
      await Promise.all([either(() => redis.clear(key), async () => undefined), database.clear(key)]);
    },
    async deleteStale(nowMs, resetAfterMs) {
      const [inRedis, inDatabase] = await Promise.all([either(() => redis.deleteStale(nowMs, resetAfterMs), async () => 0), database.deleteStale(nowMs, resetAfterMs)]);
      return inRedis + inDatabase;
    },
  };
}
