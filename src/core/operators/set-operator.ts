import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';

/**
 * Makes the user an operator: they may use the console at /admin once their account has a
 * second factor (core/operators/operator-access.ts). Granted from the CLI
 * (`gatehouse user grant-admin`), never from the web, so a stolen console session cannot mint
 * more operators. Audited. Returns false when there is no such user.
 */
export async function grantOperator(deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>, userId: string, context: RequestContext): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.operators.setOperatorSince(userId, deps.clock.nowMs()))) return false;
    await tx.audit.append(auditEvent(deps, 'operator.granted', context, { userId }));
    return true;
  });
}

/** Takes the console away from the user at once: their next console request is refused. Audited. False when there is no such user. */
export async function revokeOperator(deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>, userId: string, context: RequestContext): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    if (!(await tx.operators.setOperatorSince(userId, null))) return false;
    await tx.audit.append(auditEvent(deps, 'operator.revoked', context, { userId }));
    return true;
  });
}
