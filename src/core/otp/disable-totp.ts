import { reauthenticate, type Reauthentication } from '../accounts/reauthenticate.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { twoFactorChangedMail } from '../mail/templates.ts';
import type { User } from '../ports.ts';

/**
 * Turns TOTP off (or drops a pending enrolment), with its recovery codes. Needs
 * re-authentication, the password or an emailed reauth code (docs/security.md SEC-15): a stolen session
 * alone cannot remove the second factor.
 */
export async function disableTotp(deps: CoreDeps, user: User, reauth: Reauthentication, context: RequestContext): Promise<void> {
  await reauthenticate(deps, user, reauth, context);
  const removed = await deps.store.transaction(async (tx) => {
    const credential = await tx.totp.find(user.id);
    if (credential === null) return false;
    await tx.totp.delete(user.id);
    await tx.recoveryCodes.deleteByUser(user.id);
    await tx.audit.append(auditEvent(deps, 'totp.disabled', context, { userId: user.id, detail: credential.confirmedAtMs === null ? 'pending enrolment dropped' : null }));
    return credential.confirmedAtMs !== null;
  });
  if (!removed) {
    if ((await deps.store.totp.find(user.id)) === null) return;
    throw new AuthError('totp_not_enabled');
  }
  deps.accountSecurity.outbox.enqueue(twoFactorChangedMail(deps.accountSecurity.branding, user.email, 'disabled'));
}
