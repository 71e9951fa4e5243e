import type { AccountSecurityPolicy } from '../deps.ts';
import { mailLimitRules } from '../mail/mail-limiter.ts';
import { codeAttemptRule } from '../otp/code-attempts.ts';
import type { ThrottleRules } from './throttle.ts';

/**
 * How long housekeeping must keep a throttle counter after its last failure: the longest
 * `resetAfterMs` of EVERY rule that writes to the throttle store (the login, sign-up and social
 * login start rules, the mail limits and the code attempts). A counter deleted earlier would
 * forget failures its rule still counts, and let a locked key through.
 */
export function throttleRetentionMs(rules: ThrottleRules, policy: Pick<AccountSecurityPolicy, 'mailIntervalMs' | 'maxFailedCodeAttempts'>): number {
  const mail = mailLimitRules(policy);
  const all = [...Object.values(rules), mail.daily, mail.interval, codeAttemptRule(policy)];
  return Math.max(...all.map((rule) => rule.resetAfterMs));
}
