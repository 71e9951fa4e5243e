import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';

/**
 * Operator action. Disabling kills every session at once (ASVS 7.4.2); the session check
 * also refuses a disabled account, so nothing slips through between the two writes.
 * Returns false when there is no such user.
 */
export async function disableAccount(deps: CoreDeps, userId: string, context: RequestContext): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.users.setDisabledAt(userId, deps.clock.nowMs(), deps.clock.nowMs()))) return false;
    const ended = await endSessionsOfUser(deps, tx, userId, 'account_disabled');
    await tx.audit.append(auditEvent(deps, 'account.disabled', context, { userId, detail: `ended ${ended.length} sessions` }));
    return true;
  });
}

export async function enableAccount(deps: CoreDeps, userId: string, context: RequestContext): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.users.setDisabledAt(userId, null, deps.clock.nowMs()))) return false;
    await tx.audit.append(auditEvent(deps, 'account.enabled', context, { userId }));
    return true;
  });
}
