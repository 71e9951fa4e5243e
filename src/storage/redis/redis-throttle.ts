import type { Redis } from 'ioredis';
import type { ThrottleCompareAndSet, ThrottleState, ThrottleStore } from '../../core/ports.ts';
import { reserveByCompareAndSet } from '../../core/throttle/reserve-by-compare-and-set.ts';
/** Counters outlive their reset window by this much, then Redis forgets them by itself. */
const expiryMarginMs = 60_000;

// Each script runs atomically in Redis: no other command on the key runs in between.
// A counter is a hash { f: failures, t: last failure (ms) }; values are written as integer strings.

/** Writes the new state only if the key still holds the expected one ('' = no key). */
const compareAndSet = `
local cur = redis.call('HMGET', KEYS[1], 'f', 't')
if ARGV[1] == '' then
  if cur[1] then return 0 end
elseif cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'f', ARGV[3], 't', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** One more failure; the count starts again at one when the last failure is older than the reset window. */
const recordFailure = `
local cur = redis.call('HMGET', KEYS[1], 'f', 't')
local f = 1
if cur[1] and tonumber(cur[2]) >= tonumber(ARGV[1]) - tonumber(ARGV[2]) then f = tonumber(cur[1]) + 1 end
redis.call('HSET', KEYS[1], 'f', tostring(f), 't', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return f`;

/** Puts `before` back when the key still holds `after`; otherwise takes one failure off, never below zero. */
const refund = `
local cur = redis.call('HMGET', KEYS[1], 'f', 't')
if cur[1] == ARGV[1] and cur[2] == ARGV[2] then
  if ARGV[3] == '' then redis.call('DEL', KEYS[1]) else redis.call('HSET', KEYS[1], 'f', ARGV[3], 't', ARGV[4]) end
  return 1
end
if cur[1] then
  local f = tonumber(cur[1]) - 1
  if f < 0 then f = 0 end
  redis.call('HSET', KEYS[1], 'f', tostring(f))
end
return 0`;

/** Deletes the key when its last failure is older than the cut-off. */
const deleteIfStale = `
local t = redis.call('HGET', KEYS[1], 't')
if t and tonumber(t) < tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) return 1 end
return 0`;

type Scripts = {
  ghThrottleCas(key: string, expectedF: string, expectedT: string, nextF: string, nextT: string, ttlMs: string): Promise<number>;
  ghThrottleRecord(key: string, nowMs: string, resetAfterMs: string, ttlMs: string): Promise<number>;
  ghThrottleRefund(key: string, afterF: string, afterT: string, beforeF: string, beforeT: string): Promise<number>;
  ghThrottleDeleteIfStale(key: string, cutoffMs: string): Promise<number>;
};

const escapeGlob = (value: string): string => value.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/**
 * Throttle counters in Redis, shared by every Gatehouse instance: the same contract as the SQL
 * store (test/storage/contract/throttle.ts), with each check-and-set done by a Lua script.
 * Keys are `<prefix>throttle:<key>` (the key is already an HMAC, never an email or IP).
 *
 * @example
 * const throttle = createRedisThrottleStore(redis, 'gatehouse:');
 */
export function createRedisThrottleStore(redis: Redis, prefix: string): ThrottleStore {
  const scripted = redis as Redis & Partial<Scripts>;
  if (scripted.ghThrottleCas === undefined) {
    redis.defineCommand('ghThrottleCas', { numberOfKeys: 1, lua: compareAndSet });
    redis.defineCommand('ghThrottleRecord', { numberOfKeys: 1, lua: recordFailure });
    redis.defineCommand('ghThrottleRefund', { numberOfKeys: 1, lua: refund });
    redis.defineCommand('ghThrottleDeleteIfStale', { numberOfKeys: 1, lua: deleteIfStale });
  }
  const scripts = redis as Redis & Scripts;
  const keyOf = (key: string): string => `${prefix}throttle:${key}`;
  const text = (state: ThrottleState | null): [string, string] => (state === null ? ['', ''] : [String(state.failures), String(state.lastFailureAtMs)]);

  const counters: ThrottleCompareAndSet = {
    async get(key) {
      const [f, t] = await redis.hmget(keyOf(key), 'f', 't');
      return f === null || f === undefined || t === null || t === undefined ? null : { failures: Number(f), lastFailureAtMs: Number(t) };
    },
    async compareAndSet(key, expected, next, rule) {
      const [expectedF, expectedT] = text(expected);
      const [nextF, nextT] = text(next);
      return (await scripts.ghThrottleCas(keyOf(key), expectedF, expectedT, nextF, nextT, String(rule.resetAfterMs + rule.maxDelayMs + expiryMarginMs))) === 1;
    },
  };

  return {
    get: counters.get,
    async recordFailure(key, nowMs, resetAfterMs) {
      const failures = await scripts.ghThrottleRecord(keyOf(key), String(nowMs), String(resetAfterMs), String(resetAfterMs + expiryMarginMs));
      return { failures: Number(failures), lastFailureAtMs: nowMs };
    },
    async reserve(key, nowMs, rule) {
      // The rule's arithmetic and the retry loop stay in core/throttle; the script only makes
      // "still what I read? then write" atomic.
      return reserveByCompareAndSet(counters, key, nowMs, rule);
    },
    async refund(key, { before, after }) {
      const [afterF, afterT] = text(after);
      const [beforeF, beforeT] = text(before);
      await scripts.ghThrottleRefund(keyOf(key), afterF, afterT, beforeF, beforeT);
    },
    async clear(key) {
      await redis.del(keyOf(key));
    },
    async deleteStale(nowMs, resetAfterMs) {
      let deleted = 0;
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}throttle:*`, 'COUNT', 500);
        cursor = next;
        for (const key of keys) deleted += Number(await scripts.ghThrottleDeleteIfStale(key, String(nowMs - resetAfterMs)));
      } while (cursor !== '0');
      return deleted;
    },
  };
}
