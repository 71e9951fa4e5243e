import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { mayMail } from '../mail/mail-limiter.ts';
import { passwordResetMail, resetUnknownAccountMail } from '../mail/templates.ts';
import { issueLinkToken } from './link-token.ts';
import { normalizeEmail } from './normalize-email.ts';

/**
 * "Forgot password": mails a single-use reset link (30 minutes by default) when the address has
 * an account, or a note saying there is none when it does not. The caller answers identically
 * either way, and the mail goes out after the answer (docs/security.md SEC-47). The login lockout never
 * applies here (docs/security.md SEC-49); requests are limited per IP and mails per address.
 */
export async function requestPasswordReset(deps: CoreDeps, emailInput: string, context: RequestContext): Promise<void> {
  await deps.throttle.reserve([['signupIp', context.ip]], deps.clock.nowMs());
  const email = normalizeEmail(emailInput);
  if (email === null) throw new AuthError('invalid_email');
  const { policy, branding, outbox } = deps.accountSecurity;
  const user = await deps.store.users.findByEmail(email);
  if (user === null || user.disabledAtMs !== null) {
    await deps.store.audit.append(
      auditEvent(deps, 'password_reset.requested', context, { userId: user?.id ?? null, email, detail: user === null ? 'unknown_email' : 'account_disabled' }),
    );
    if (user === null && (await mayMail(deps, email, 'reset'))) outbox.enqueue(resetUnknownAccountMail(branding, email));
    return;
  }
  const allowed = await mayMail(deps, email, 'reset');
  const token = await deps.store.transaction(async (tx) => {
    await tx.audit.append(auditEvent(deps, 'password_reset.requested', context, { userId: user.id, email, detail: allowed ? 'mailed' : 'mail_limit' }));
    return allowed ? issueLinkToken(deps, tx, user, 'password_reset', policy.resetTtlMs) : null;
  });
  if (token !== null) outbox.enqueue(passwordResetMail(branding, email, token, policy.resetTtlMs / 60_000));
}
