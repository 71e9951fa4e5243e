import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import type { SessionWithUser, User } from '../ports.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';
import { findLinkToken } from './link-token.ts';

export interface ConfirmedEmailChange {
  user: User;
  oldEmail: string;
  /** The session kept: the confirming browser's own, when it is signed in to this account. */
  keptSessionId: string | null;
}

/**
 * Confirms a change of address with the link mailed to the new address (docs/security.md
 * SEC-142): the link is single use, unexpired, of purpose `change_email`, and compared by hash
 * in constant time; anything else is `invalid_link`. In one transaction the account moves to
 * the new address (which counts as verified: the link proves it), every other link token of the
 * account dies (reset and verification links went to the old address), and every session ends
 * but the confirming browser's own when it is signed in to this account. A notice goes to the
 * old address. An address taken meanwhile is `email_taken`: whoever holds the link reads the
 * new address's mail, so that says nothing they could not know.
 */
export async function confirmEmailChange(deps: CoreDeps, token: string, current: SessionWithUser | null, context: RequestContext): Promise<ConfirmedEmailChange> {
  const record = await findLinkToken(deps, token, 'change_email');
  if (record === null) throw new AuthError('invalid_link');
  const confirmed = await deps.store.transaction(async (tx) => {
    const nowMs = deps.clock.nowMs();
    if (!(await tx.oneTimeTokens.consume(record.id, nowMs))) throw new AuthError('invalid_link');
    const user = await tx.users.findById(record.userId);
    if (user === null || user.disabledAtMs !== null) throw new AuthError('invalid_link');
    if ((await tx.users.updateEmail(user.id, record.email, nowMs)) === 'email_taken') throw new AuthError('email_taken');
    await tx.emailVerifications.replaceVerified(user.id, record.email, nowMs);
    for (const purpose of ['change_email', 'verify_email', 'password_reset'] as const) await tx.oneTimeTokens.deleteByUser(user.id, purpose);
    const kept = current !== null && current.user.id === user.id ? current.session.id : undefined;
    const ended = await endSessionsOfUser(deps, tx, user.id, 'email_changed', kept);
    await tx.audit.append(auditEvent(deps, 'email.changed', context, { userId: user.id, email: record.email, detail: `from ${user.email}; ended ${ended.length} sessions` }));
    return { user: { ...user, email: record.email, updatedAtMs: nowMs }, oldEmail: user.email, keptSessionId: kept ?? null };
  });
  // To the old address: the owner hears of it even if someone else now controls the new one.
  notifySecurityEvent(deps, 'email_changed', { email: confirmed.oldEmail }, context, { newEmail: confirmed.user.email });
  return confirmed;
}
