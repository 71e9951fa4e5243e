import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';
import { findLinkToken } from './link-token.ts';
import { assertAcceptablePassword, normalizePassword } from './password-policy.ts';

/**
 * Sets a new password from a reset link. In one transaction: the link is consumed (single use),
 * every other reset link of the account is voided, the password changes, and every session ends
 * through endSessions, so their refresh tokens die and the revocation feed hears of each
 * (docs/security.md SEC-8). It does not log in: the person logs in next, second factor included. The
 * login lockout of the address is cleared (a reset is how a locked-out owner gets back in), and
 * the link proves the address, so it counts as verified.
 */
export async function resetPassword(deps: CoreDeps, input: { token: string; newPassword: string }, context: RequestContext): Promise<{ email: string }> {
  const record = await findLinkToken(deps, input.token, 'password_reset');
  if (record === null) throw new AuthError('invalid_link');
  const user = await deps.store.users.findById(record.userId);
  if (user === null || user.email !== record.email) throw new AuthError('invalid_link');
  if (user.disabledAtMs !== null) throw new AuthError('account_disabled');
  assertAcceptablePassword(input.newPassword, user.email, deps.passwordPolicy);
  const passwordHash = await deps.hasher.hash(normalizePassword(input.newPassword));
  await deps.store.transaction(async (tx) => {
    const nowMs = deps.clock.nowMs();
    if (!(await tx.oneTimeTokens.consume(record.id, nowMs))) throw new AuthError('invalid_link');
    await tx.oneTimeTokens.deleteByUser(user.id, 'password_reset');
    // A change of address asked for from a session that is now ended cannot be confirmed any more (docs/security.md SEC-144).
    await tx.oneTimeTokens.deleteByUser(user.id, 'change_email');
    await tx.users.updatePasswordHash(user.id, passwordHash, nowMs);
    await tx.emailVerifications.markVerified(user.id, user.email, nowMs);
    const ended = await endSessionsOfUser(deps, tx, user.id, 'password_changed');
    await tx.audit.append(auditEvent(deps, 'password.reset', context, { userId: user.id, email: user.email, detail: `ended ${ended.length} sessions` }));
  });
  await deps.throttle.clear('account', user.email);
  notifySecurityEvent(deps, 'password_reset', user, context);
  return { email: user.email };
}
