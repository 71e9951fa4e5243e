import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ThrottleCompareAndSet, ThrottleReservation, ThrottleRuleShape } from '../ports.ts';
import { nextThrottleState, remainingLockMs } from './throttle.ts';

/** Compare-and-set rounds before reserve gives up and fails closed for a second. */
export const maxReserveAttempts = 32;

/** What reserve answers under extreme contention on one key: locked for a moment, never let through. */
const contendedWaitMs = 1000;

/**
 * `ThrottleStore.reserve` for a store shared by processes (SQL, Redis), as an optimistic
 * compare-and-set without a lock held across the decision: read the key, decide with the rule,
 * then write only if the key still holds what was read. A lost race reads again (after letting
 * the other writer finish). This holds across processes and connections, so concurrent calls on
 * one key never let more attempts through than the rule allows.
 *
 * @example
 * reserve: (key, nowMs, rule) => reserveByCompareAndSet(counters, key, nowMs, rule),
 */
export async function reserveByCompareAndSet(counters: ThrottleCompareAndSet, key: string, nowMs: number, rule: ThrottleRuleShape): Promise<ThrottleReservation> {
  for (let attempt = 0; attempt < maxReserveAttempts; attempt++) {
    const before = await counters.get(key);
    const waitMs = remainingLockMs(before, rule, nowMs);
    if (waitMs > 0) return { allowed: false, waitMs };
    const after = nextThrottleState(before, rule, nowMs);
    if (await counters.compareAndSet(key, before, after, rule)) return { allowed: true, before, after };
    await nextTurn();
  }
  return { allowed: false, waitMs: contendedWaitMs };
}
