import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';

/**
 * Operator action (the console): turns the user's TOTP off and voids their recovery codes, for
 * someone who lost their authenticator. Passkeys stay: they are ways to log in, which the user
 * removes on their own account page. The user is told by mail; the audit entry names the
 * operator (the context's `actorId`). Returns false when the user had no TOTP.
 */
export async function resetSecondFactor(deps: CoreDeps, userId: string, context: RequestContext): Promise<boolean> {
  const user = await deps.store.transaction(async (tx) => {
    const found = await tx.users.findById(userId);
    if (found === null || (await tx.totp.find(userId)) === null) return null;
    await tx.totp.delete(userId);
    await tx.recoveryCodes.deleteByUser(userId);
    await tx.audit.append(auditEvent(deps, 'totp.disabled', context, { userId, detail: 'reset by operator' }));
    return found;
  });
  if (user === null) return false;
  notifySecurityEvent(deps, 'two_factor_disabled', user, context);
  return true;
}
