import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { SessionWithUser } from '../ports.ts';
import { requireRecentAuthentication } from '../sessions/recent-authentication.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';
import type { Reauthentication } from './reauthenticate.ts';

/**
 * Deletes the account; every session goes with it. An account with a password must send it
 * (or another proof); one without (made by a social login) needs a recent login or
 * re-authentication, through the gate every sensitive change uses (docs/security.md SEC-100).
 */
export async function deleteAccount(deps: CoreDeps, current: SessionWithUser, proof: Reauthentication | undefined, context: RequestContext): Promise<void> {
  if (current.user.passwordHash !== null && proof === undefined) throw new AuthError('wrong_password');
  const { user } = await requireRecentAuthentication(deps, current, proof, context);
  await deps.store.transaction(async (tx) => {
    await endSessionsOfUser(deps, tx, user.id, 'account_deleted');
    await tx.users.delete(user.id);
    await tx.audit.append(auditEvent(deps, 'account.deleted', context, { userId: user.id, email: user.email, detail: proof === undefined ? 'after a recent login' : null }));
  });
}

/** Operator action (CLI): deletes the account without its password. Returns false when there is no such user. */
export async function deleteAccountAsOperator(deps: CoreDeps, userId: string, context: RequestContext): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    const user = await tx.users.findById(userId);
    if (user === null) return false;
    await endSessionsOfUser(deps, tx, userId, 'account_deleted');
    await tx.users.delete(userId);
    await tx.audit.append(auditEvent(deps, 'account.deleted', context, { userId, email: user.email, detail: 'by operator' }));
    return true;
  });
}
