import { createHmac } from 'node:crypto';
import type { AccountSecurityDeps, AccountSecurityPolicy } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { Clock, ThrottleReservation, ThrottleRuleShape, ThrottleStore } from '../ports.ts';
import { hmacKey } from '../hmac-key.ts';

const minuteMs = 60_000;

/**
 * Which counter: second-factor codes (TOTP, recovery) and emailed re-authentication codes are
 * capped per account; emailed sign-in codes per address (`email_login`, keyed on the normalised
 * address as typed, whether or not it has an account: docs/security.md SEC-104).
 */
export type CodeKind = 'second_factor' | 'email_code' | 'email_login';

type Deps = { store: { throttle: ThrottleStore }; clock: Clock; accountSecurity: AccountSecurityDeps };

/** The counter's key: a keyed hash, so the throttle table names no account or address. */
function keyFor(deps: Deps, kind: CodeKind, subject: string): string {
  return `code-${kind}:${createHmac('sha256', hmacKey(deps.accountSecurity.limiterKey)).update(subject).digest('base64url').slice(0, 32)}`;
}

/** After `maxFailedCodeAttempts` wrong codes, waits from 1 minute doubling to 1 hour; forgotten after an hour without one. */
export function codeAttemptRule(policy: Pick<AccountSecurityPolicy, 'maxFailedCodeAttempts'>): ThrottleRuleShape {
  return { freeFailures: policy.maxFailedCodeAttempts, baseDelayMs: minuteMs, maxDelayMs: 60 * minuteMs, resetAfterMs: 60 * minuteMs };
}

/**
 * Counts one code attempt for the account before the code is checked, so concurrent guesses
 * cannot slip past the cap (docs/security.md SEC-44). After `maxFailedCodeAttempts` failures each further
 * attempt waits, from 1 minute doubling to 1 hour; a right code resets the count. The count is
 * per account and independent of which code was issued, so a resend does not reset it.
 * Throws too_many_requests while locked.
 */
export async function reserveCodeAttempt(deps: Deps, kind: CodeKind, subject: string): Promise<void> {
  const outcome: ThrottleReservation = await deps.store.throttle.reserve(keyFor(deps, kind, subject), deps.clock.nowMs(), codeAttemptRule(deps.accountSecurity.policy));
  if (!outcome.allowed) throw new AuthError('too_many_requests', { retryAfterSeconds: Math.max(1, Math.ceil(outcome.waitMs / 1000)) });
}

/** A right code: the account's failures are forgotten. */
export async function clearCodeAttempts(deps: Deps, kind: CodeKind, subject: string): Promise<void> {
  await deps.store.throttle.clear(keyFor(deps, kind, subject));
}
