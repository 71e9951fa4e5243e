import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import { verifyCurrentPassword } from './verify-current-password.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';

/** Deletes the account after re-authentication; every session goes with it. */
export async function deleteAccount(
  deps: CoreDeps,
  current: SessionWithUser,
  password: string,
  context: RequestContext,
): Promise<void> {
  await verifyCurrentPassword(deps, current.user, password);
  await deps.store.transaction(async (tx) => {
    await endSessionsOfUser(deps, tx, current.user.id, 'account_deleted');
    await tx.users.delete(current.user.id);
    await tx.audit.append(auditEvent(deps, 'account.deleted', context, { userId: current.user.id, email: current.user.email }));
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
