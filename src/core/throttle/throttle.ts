import { createHmac } from 'node:crypto';
import { AuthError } from '../errors.ts';
import type { ThrottleState, ThrottleStore } from '../ports.ts';

/**
 * One throttling rule: `freeFailures` attempts cost nothing, then every further failure
 * doubles the wait, from `baseDelayMs` up to `maxDelayMs`. A key whose last failure is older
 * than `resetAfterMs` starts again from zero. Waits grow, but the lock is always temporary,
 * so an attacker cannot lock a user out for good (ASVS 6.3.1).
 */
export interface ThrottleRule {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  resetAfterMs: number;
}

export interface ThrottleRules {
  /** Failed logins against one email, whether or not the account exists, from any IP. */
  account: ThrottleRule;
  /** Failed logins from one client IP, across every account. */
  ip: ThrottleRule;
  /** Sign-ups from one client IP (every attempt counts). */
  signupIp: ThrottleRule;
}

export type ThrottleKind = 'account' | 'ip' | 'signupIp';

/** Milliseconds the key must still wait, 0 when it may try now. */
export function remainingLockMs(state: ThrottleState | null, rule: ThrottleRule, nowMs: number): number {
  if (state === null || state.failures < rule.freeFailures) return 0;
  if (nowMs - state.lastFailureAtMs > rule.resetAfterMs) return 0;
  const doublings = Math.min(state.failures - rule.freeFailures, 30);
  const delayMs = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** doublings);
  return Math.max(0, state.lastFailureAtMs + delayMs - nowMs);
}

/**
 * Throttle keys are HMACs of the email or IP under the server secret, so the throttle
 * table is not a readable list of who tried which address.
 */
export function createThrottle(store: ThrottleStore, rules: ThrottleRules, keySecret: Uint8Array) {
  const keyFor = (kind: ThrottleKind, value: string): string =>
    `${kind}:${createHmac('sha256', keySecret).update(value).digest('base64url').slice(0, 32)}`;

  return {
    /** Throws too_many_requests when any of the keys is still locked. */
    async assertAllowed(checks: ReadonlyArray<readonly [ThrottleKind, string]>, nowMs: number): Promise<void> {
      let waitMs = 0;
      for (const [kind, value] of checks) {
        const state = await store.get(keyFor(kind, value));
        waitMs = Math.max(waitMs, remainingLockMs(state, rules[kind], nowMs));
      }
      if (waitMs > 0) {
        throw new AuthError('too_many_requests', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
      }
    },
    async recordFailure(kind: ThrottleKind, value: string, nowMs: number): Promise<void> {
      await store.recordFailure(keyFor(kind, value), nowMs, rules[kind].resetAfterMs);
    },
    async clear(kind: ThrottleKind, value: string): Promise<void> {
      await store.clear(keyFor(kind, value));
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
