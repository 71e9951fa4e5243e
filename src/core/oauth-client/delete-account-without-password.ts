import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { SessionWithUser } from '../ports.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';

/** How recent the login must be to stand in for the password (ASVS 7.5.1: "or a fresh login"). */
export const freshLoginMs = 5 * 60 * 1000;

/** True when the session began (every login starts a new one) within the last `freshLoginMs`. */
export function isFreshLogin(deps: Pick<CoreDeps, 'clock'>, current: SessionWithUser): boolean {
  return deps.clock.nowMs() - current.session.createdAtMs <= freshLoginMs;
}

/**
 * Deletes an account that has no password (made by a social login). There is no password to
 * re-enter, so a fresh login through a provider is the re-authentication: the session must be
 * at most five minutes old.
 */
export async function deleteAccountWithoutPassword(deps: CoreDeps, current: SessionWithUser, context: RequestContext): Promise<void> {
  if (current.user.passwordHash !== null) throw new AuthError('wrong_password');
  if (!isFreshLogin(deps, current)) throw new AuthError('fresh_login_required');
  await deps.store.transaction(async (tx) => {
    await endSessionsOfUser(deps, tx, current.user.id, 'account_deleted');
    await tx.users.delete(current.user.id);
    await tx.audit.append(auditEvent(deps, 'account.deleted', context, { userId: current.user.id, email: current.user.email, detail: 'without password, after a fresh login' }));
  });
}
