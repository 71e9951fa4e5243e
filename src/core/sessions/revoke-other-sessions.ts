import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import { endSessionsOfUser } from './end-sessions.ts';

/** "Log out everywhere else": every session of the user but the current one. Returns how many ended. */
export async function revokeOtherSessions(deps: CoreDeps, current: SessionWithUser, context: RequestContext): Promise<number> {
  return deps.store.transaction(async (tx) => {
    const revoked = await endSessionsOfUser(deps, tx, current.user.id, 'session_revoked', current.session.id);
    for (const id of revoked) {
      await tx.audit.append(auditEvent(deps, 'session.revoked', context, { userId: current.user.id, detail: `session ${id}` }));
    }
    return revoked.length;
  });
}
