import type { Reauthentication } from '../accounts/reauthenticate.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import type { SessionWithUser } from '../ports.ts';
import { requireRecentAuthentication } from '../sessions/recent-authentication.ts';

/**
 * Turns TOTP off (or drops a pending enrolment), with its recovery codes. Needs a recent
 * re-authentication (docs/security.md SEC-15, SEC-100; `reauth` sent along counts): a stolen
 * session alone cannot remove the second factor.
 */
export async function disableTotp(deps: CoreDeps, current: SessionWithUser, reauth: Reauthentication | undefined, context: RequestContext): Promise<void> {
  const { user } = await requireRecentAuthentication(deps, current, reauth, context);
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
  notifySecurityEvent(deps, 'two_factor_disabled', user, context);
}
