import type { Redis } from 'ioredis';
import type { ThrottleCensus } from '../../core/ports.ts';

// Keys scanned per SCAN call; the dashboard reads at most `limit` candidates in all.
const scanBatch = 1_000;

/**
 * The console's count of locked accounts when the throttle counters live in Redis: a SCAN over
 * `<prefix>throttle:<keyPrefix>*` (never KEYS, which blocks Redis), each counter read with HMGET
 * in one pipeline per batch, filtered as the SQL census filters its rows.
 *
 * @example
 * const census = createRedisThrottleCensus(redis, 'gatehouse:');
 */
export function createRedisThrottleCensus(redis: Redis, prefix: string): ThrottleCensus {
  return {
    async counters({ keyPrefix, minFailures, sinceMs, limit }) {
      // Redis MATCH patterns treat * ? [ ] \ specially: escape them in the fixed part.
      const pattern = `${`${prefix}throttle:${keyPrefix}`.replace(/[*?[\]\\]/g, '\\$&')}*`;
      const found: { failures: number; lastFailureAtMs: number }[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', scanBatch);
        cursor = next;
        if (keys.length === 0) continue;
        const pipeline = redis.pipeline();
        for (const key of keys) pipeline.hmget(key, 'f', 't');
        for (const [error, value] of (await pipeline.exec()) ?? []) {
          if (error !== null) throw error;
          const [f, t] = value as [string | null, string | null];
          const failures = Number(f);
          const lastFailureAtMs = Number(t);
          if (f === null || t === null || failures < minFailures || lastFailureAtMs < sinceMs) continue;
          found.push({ failures, lastFailureAtMs });
          if (found.length >= limit) return found;
        }
      } while (cursor !== '0');
      return found;
    },
  };
}
