/** The storage port of the failure throttle (core/throttle/throttle.ts). */

/** Failure counters for throttling: one row per key (an account or an IP). */
export interface ThrottleState {
  failures: number;
  lastFailureAtMs: number;
}

/** What a throttle rule needs to know to decide whether a key is locked; see core/throttle. */
export interface ThrottleRuleShape {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  resetAfterMs: number;
}

/**
 * An allowed reservation remembers the key's state before and after it, so a refund can put
 * the key back exactly as it was (timestamp included) when nothing else touched it meanwhile.
 */
export type ThrottleReservation =
  | { allowed: true; before: ThrottleState | null; after: ThrottleState }
  | { allowed: false; waitMs: number };

export interface ThrottleStore {
  get(key: string): Promise<ThrottleState | null>;
  /**
   * Atomically: when `key` is not locked under `rule`, counts one attempt as a failure and
   * allows it; when it is locked, refuses it and changes nothing (so refused attempts never
   * extend a lock). Concurrent calls on one key, from any number of processes, never let more
   * attempts through than the rule allows.
   */
  reserve(key: string, nowMs: number, rule: ThrottleRuleShape): Promise<ThrottleReservation>;
  /**
   * Takes back an allowed reservation (the attempt succeeded, or a later check refused it):
   * restores `before` when the key still holds `after`; otherwise (other attempts came in
   * since) removes one failure, never going below zero.
   */
  refund(key: string, reservation: { before: ThrottleState | null; after: ThrottleState }): Promise<void>;
  /**
   * Atomically adds one failure. When the last failure is older than `resetAfterMs`,
   * the count starts again at one.
   */
  recordFailure(key: string, nowMs: number, resetAfterMs: number): Promise<ThrottleState>;
  clear(key: string): Promise<void>;
  /** Housekeeping: forgets counters idle for longer than `resetAfterMs`. */
  deleteStale(nowMs: number, resetAfterMs: number): Promise<number>;
}

/**
 * The one atomic step an optimistic reserve needs from a shared store (SQL, Redis): see
 * core/throttle/reserve-by-compare-and-set.ts, which holds the loop and the rule's arithmetic.
 */
export interface ThrottleCompareAndSet {
  get(key: string): Promise<ThrottleState | null>;
  /**
   * Writes `next` only if the key still holds `expected` (null: only if the key has no counter);
   * false when another writer changed it first. `rule` tells how long the counter must be kept.
   */
  compareAndSet(key: string, expected: ThrottleState | null, next: ThrottleState, rule: ThrottleRuleShape): Promise<boolean>;
}
