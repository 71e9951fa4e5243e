import { createHmac } from 'node:crypto';
import type { AccountSecurityDeps, AccountSecurityPolicy } from '../deps.ts';
import type { Clock, ThrottleRuleShape, ThrottleStore } from '../ports.ts';
import { hmacKey } from '../hmac-key.ts';

const dayMs = 24 * 60 * 60 * 1000;

/** Mails of one stream space out by the interval; a reset mail never waits for a verification mail. */
export type MailStream = 'verification' | 'reset' | 'code';

/** The mail limits as throttle rules: 10 a day in all, and one per interval in each stream. */
export function mailLimitRules(policy: Pick<AccountSecurityPolicy, 'mailIntervalMs'>): { daily: ThrottleRuleShape; interval: ThrottleRuleShape } {
  const interval = policy.mailIntervalMs;
  return {
    daily: { freeFailures: 10, baseDelayMs: dayMs, maxDelayMs: dayMs, resetAfterMs: dayMs },
    interval: { freeFailures: 1, baseDelayMs: interval, maxDelayMs: interval, resetAfterMs: interval },
  };
}

/**
 * Limits the mails one address can be sent (verification, reset, codes): at most one per
 * interval in each stream and 10 a day in all, whether or not an account exists, so Gatehouse cannot be used to
 * flood an inbox. A refused mail is simply not sent: the HTTP answer is the same either way,
 * so the limit tells nothing about the account. Counts live in the throttle table under an
 * HMAC of the address.
 *
 * @returns true when the mail may be sent (and counts it).
 */
export async function mayMail(
  deps: { store: { throttle: ThrottleStore }; clock: Clock; accountSecurity: AccountSecurityDeps },
  email: string,
  stream: MailStream,
): Promise<boolean> {
  const nowMs = deps.clock.nowMs();
  const rules = mailLimitRules(deps.accountSecurity.policy);
  const key = (kind: string): string => `mail-${kind}:${createHmac('sha256', hmacKey(deps.accountSecurity.limiterKey)).update(email).digest('base64url').slice(0, 32)}`;
  const daily = await deps.store.throttle.reserve(key('day'), nowMs, rules.daily);
  if (!daily.allowed) return false;
  const burst = await deps.store.throttle.reserve(key(`interval-${stream}`), nowMs, rules.interval);
  if (!burst.allowed) {
    await deps.store.throttle.refund(key('day'), daily);
    return false;
  }
  return true;
}
