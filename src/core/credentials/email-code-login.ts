import { normalizeEmail } from '../accounts/normalize-email.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { reserveCodeAttempt } from '../otp/code-attempts.ts';
import { sendEmailCode, verifyEmailCode } from '../otp/email-code.ts';
import type { SessionWithUser } from '../ports.ts';
import type { LoginStep } from './begin-login.ts';
import { hasSecondFactor, startLoggedInSession } from './log-in.ts';
import { issuePendingLogin } from './pending-login.ts';
import { amrOf } from '../sessions/authentication-methods.ts';

/**
 * Passwordless login, step one: mails a sign-in code when the address has an enabled account,
 * and does nothing otherwise. The caller answers the same either way (docs/security.md SEC-47).
 */
export async function requestLoginCode(deps: CoreDeps, emailInput: string, context: RequestContext): Promise<void> {
  await deps.throttle.reserve([['signupIp', context.ip]], deps.clock.nowMs());
  const email = normalizeEmail(emailInput);
  if (email === null) throw new AuthError('invalid_email');
  const user = await deps.store.users.findByEmail(email);
  if (user === null || user.disabledAtMs !== null) return;
  await sendEmailCode(deps, user, 'login', context);
}

/**
 * Passwordless login, step two: the emailed code logs in (it proves the address, so it counts as
 * verified). An account with TOTP still needs its second factor: a pending login, as after a
 * password. An unknown address is refused exactly like a wrong code; guesses are also counted per
 * client IP, with failed password logins.
 */
export async function logInWithEmailCode(
  deps: CoreDeps,
  input: { email: string; code: string; previousSession?: SessionWithUser },
  context: RequestContext,
): Promise<LoginStep> {
  const ticket = await deps.throttle.reserve([['ip', context.ip]], deps.clock.nowMs());
  const email = normalizeEmail(input.email);
  const user = email === null ? null : await deps.store.users.findByEmail(email);
  if (user === null || user.disabledAtMs !== null) {
    // Counted under the address exactly as verifyEmailCode counts a known one, so the answers
    // (400 until the cap, then 429 with Retry-After) are the same for every address and say
    // nothing about which have accounts (docs/security.md SEC-104).
    await reserveCodeAttempt(deps, 'email_login', email ?? input.email.trim().toLowerCase().slice(0, 254));
    throw new AuthError('invalid_code');
  }
  await verifyEmailCode(deps, user, 'login', input.code, context);
  await ticket.refund('ip');
  await deps.store.emailVerifications.markVerified(user.id, user.email, deps.clock.nowMs());
  if (await hasSecondFactor(deps, user.id)) {
    await deps.store.audit.append(auditEvent(deps, 'login.second_factor_required', context, { userId: user.id, email: user.email, detail: 'after email code' }));
    return { kind: 'second_factor', user, pendingToken: await issuePendingLogin(deps, user, { factors: ['email_code'] }) };
  }
  const previous = input.previousSession === undefined ? {} : { previousSession: input.previousSession };
  return { kind: 'session', ...(await startLoggedInSession(deps, user, { ...previous, method: 'email_code', amr: amrOf(['email_code']) }, context)) };
}
