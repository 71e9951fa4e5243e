import { createHmac } from 'node:crypto';
import { AuthError } from '../errors.ts';
import { hmacKey } from '../hmac-key.ts';
import { clientAddressGroup } from './client-address-group.ts';
import { noTrace, type TraceRecorder } from '../trace/ports.ts';
import type { ThrottleReservation, ThrottleRuleShape, ThrottleState, ThrottleStore } from '../ports.ts';

/**
 * One throttling rule: `freeFailures` attempts cost nothing, then every further failure
 * doubles the wait, from `baseDelayMs` up to `maxDelayMs`. A key whose last failure is older
 * than `resetAfterMs` starts again from zero. Waits grow, but the lock is always temporary,
 * so an attacker cannot lock a user out for good (ASVS 6.3.1).
 */
export type ThrottleRule = ThrottleRuleShape;

export interface ThrottleRules {
  /** Failed logins against one email, whether or not the account exists, from any IP. */
  account: ThrottleRule;
  /** Failed logins from one client IP, across every account. */
  ip: ThrottleRule;
  /** Sign-ups from one client IP (every attempt counts). */
  signupIp: ThrottleRule;
  /** Social logins started from one client IP (every start stores a flow record). */
  oauthStartIp: ThrottleRule;
  /** OpenID authorization requests from one client IP that wait for a login or consent (each stores the request). */
  authorizeIp: ThrottleRule;
}

export type ThrottleKind = 'account' | 'ip' | 'signupIp' | 'oauthStartIp' | 'authorizeIp';

/** Milliseconds the key must still wait, 0 when it may try now. */
export function remainingLockMs(state: ThrottleState | null, rule: ThrottleRule, nowMs: number): number {
  if (state === null || state.failures < rule.freeFailures) return 0;
  if (nowMs - state.lastFailureAtMs > rule.resetAfterMs) return 0;
  const doublings = Math.min(state.failures - rule.freeFailures, 30);
  const delayMs = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** doublings);
  return Math.max(0, state.lastFailureAtMs + delayMs - nowMs);
}

/** The state after one more failure at `nowMs`: the count restarts after `resetAfterMs` of quiet. */
export function nextThrottleState(state: ThrottleState | null, rule: ThrottleRule, nowMs: number): ThrottleState {
  const failures = state === null || nowMs - state.lastFailureAtMs > rule.resetAfterMs ? 1 : state.failures + 1;
  return { failures, lastFailureAtMs: nowMs };
}

type Allowed = Extract<ThrottleReservation, { allowed: true }>;

/** Reservations made for one attempt, to refund by kind when it succeeds. */
export interface ThrottleTicket {
  refund(kind: ThrottleKind): Promise<void>;
}

const maxRecentKeys = 512;

/**
 * Throttle keys are HMACs of the email or IP under the server secret, so the throttle
 * table is not a readable list of who tried which address.
 */
export function createThrottle(store: ThrottleStore, rules: ThrottleRules, keySecret: Uint8Array, trace: TraceRecorder = noTrace) {
  // Per-IP kinds count an IPv6 client's whole /64, and an IPv4-mapped address as its IPv4 (SEC-111).
  const key = hmacKey(keySecret);
  // The keys of the last few hundred values, kept: a login or a passkey answer from the same IP
  // asks for its key several times (check, then count or clear), and an HMAC with the address
  // grouping costs ~3 us. A key is not secret (it is the row's primary key); the cache is bounded.
  const recentKeys = new Map<string, string>();
  const keyFor = (kind: ThrottleKind, value: string): string => {
    const name = `${kind}\u0000${value}`;
    let found = recentKeys.get(name);
    if (found === undefined) {
      found = `${kind}:${createHmac('sha256', key).update(kind === 'account' ? value : clientAddressGroup(value)).digest('base64url').slice(0, 32)}`;
      if (recentKeys.size >= maxRecentKeys) recentKeys.delete(recentKeys.keys().next().value as string);
      recentKeys.set(name, found);
    }
    return found;
  };

  return {
    /** The rules it enforces (housekeeping keeps counters as long as the longest reset needs them). */
    rules,
    /**
     * Counts this attempt against every key before any expensive work (the password hash), and
     * throws too_many_requests when any key is locked, with the longest wait among the keys.
     * Keys already counted are refunded when a later one refuses (or the store fails), so a
     * locked IP cannot push an account's counter up.
     */
    async reserve(checks: ReadonlyArray<readonly [ThrottleKind, string]>, nowMs: number): Promise<ThrottleTicket> {
      const reserved = new Map<ThrottleKind, { key: string; reservation: Allowed }>();
      const refundAll = async (): Promise<void> => {
        for (const { key, reservation } of reserved.values()) await store.refund(key, reservation);
      };
      for (const [index, [kind, value]] of checks.entries()) {
        const key = keyFor(kind, value);
        let outcome: ThrottleReservation;
        try {
          outcome = await store.reserve(key, nowMs, rules[kind]);
        } catch (error) {
          await refundAll().catch(() => undefined);
          throw error;
        }
        trace.step({
          kind: 'decision',
          title: outcome.allowed ? `Throttle (${kind}): attempt counted` : `Throttle (${kind}): locked, wait`,
          outcome: outcome.allowed ? 'ok' : 'refused',
          detail: outcome.allowed
            ? { kind, failuresSoFar: outcome.after.failures, freeFailures: rules[kind].freeFailures, note: 'counted before the costly work; refunded when the attempt succeeds' }
            : { kind, waitMs: outcome.waitMs },
          teach: 'throttle',
        });
        if (!outcome.allowed) {
          await refundAll();
          let waitMs = outcome.waitMs;
          for (const [laterKind, laterValue] of checks.slice(index + 1)) {
            waitMs = Math.max(waitMs, remainingLockMs(await store.get(keyFor(laterKind, laterValue)), rules[laterKind], nowMs));
          }
          throw new AuthError('too_many_requests', { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
        }
        reserved.set(kind, { key, reservation: outcome });
      }
      return {
        async refund(kind) {
          const entry = reserved.get(kind);
          if (entry === undefined) return;
          reserved.delete(kind);
          await store.refund(entry.key, entry.reservation);
        },
      };
    },
    /**
     * Refuses with too_many_requests while the key is locked, counting nothing: for attempts
     * whose success must stay free of throttle writes (a passkey login), which count only
     * their failures (recordFailure). Unlike reserve, attempts in flight together all pass.
     */
    async check(kind: ThrottleKind, value: string, nowMs: number): Promise<void> {
      const waitMs = remainingLockMs(await store.get(keyFor(kind, value)), rules[kind], nowMs);
      if (waitMs > 0) throw new AuthError('too_many_requests', { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) });
    },
    /** Counts one failure against the key (after a check). */
    async recordFailure(kind: ThrottleKind, value: string, nowMs: number): Promise<void> {
      await store.recordFailure(keyFor(kind, value), nowMs, rules[kind].resetAfterMs);
    },
    /** Forgets every failure of this key (a successful login clears its account). */
    async clear(kind: ThrottleKind, value: string): Promise<void> {
      await store.clear(keyFor(kind, value));
    },
  };
}

export type Throttle = ReturnType<typeof createThrottle>;
