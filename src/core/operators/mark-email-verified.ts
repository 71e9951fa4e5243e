import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';

/**
 * Operator action (the console): records the user's current address as verified, as the mailed
 * link would have (for a user whose mail never arrives). Audited with the operator's id (the
 * context's `actorId`). Returns false when there is no such user.
 */
export async function markEmailVerified(deps: Pick<CoreDeps, 'store' | 'clock' | 'random'>, userId: string, context: RequestContext): Promise<boolean> {
  return deps.store.transaction(async (tx) => {
    const user = await tx.users.findById(userId);
    if (user === null) return false;
    await tx.emailVerifications.markVerified(user.id, user.email, deps.clock.nowMs());
    await tx.audit.append(auditEvent(deps, 'email.verified', context, { userId, email: user.email, detail: 'by operator' }));
    return true;
  });
}
