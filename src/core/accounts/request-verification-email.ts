import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { mayMail } from '../mail/mail-limiter.ts';
import { verifyEmailMail } from '../mail/templates.ts';
import { issueLinkToken } from './link-token.ts';
import { normalizeEmail } from './normalize-email.ts';

/**
 * Sends a new verification link (voiding the older one) when the address has an unverified,
 * enabled account; otherwise does nothing. The caller answers the same in every case. Resends
 * are limited per IP (with sign-ups) and per address (one a minute, ten a day).
 */
export async function requestVerificationEmail(deps: CoreDeps, emailInput: string, context: RequestContext): Promise<void> {
  await deps.throttle.reserve([['signupIp', context.ip]], deps.clock.nowMs());
  const email = normalizeEmail(emailInput);
  if (email === null) throw new AuthError('invalid_email');
  const user = await deps.store.users.findByEmail(email);
  if (user === null || user.disabledAtMs !== null || (await deps.store.emailVerifications.find(user.id)) !== null) return;
  if (!(await mayMail(deps, email, 'verification'))) return;
  const { policy, branding } = deps.accountSecurity;
  const token = await deps.store.transaction(async (tx) => {
    const issued = await issueLinkToken(deps, tx, user, 'verify_email', policy.verificationTtlMs);
    await tx.audit.append(auditEvent(deps, 'email.verification_sent', context, { userId: user.id, email, detail: 'resend' }));
    return issued;
  });
  deps.accountSecurity.outbox.enqueue(verifyEmailMail(branding, email, token, policy.verificationTtlMs / 60_000));
}
