import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import { endSessions } from './end-sessions.ts';

/** Ends the current session: the row is deleted, so the cookie is dead everywhere at once. */
export async function logOut(deps: CoreDeps, current: SessionWithUser, context: RequestContext): Promise<void> {
  await deps.store.transaction(async (tx) => {
    await endSessions(deps, tx, [current.session.id], 'logout');
    await tx.audit.append(auditEvent(deps, 'logout', context, { userId: current.user.id, detail: `session ${current.session.id}` }));
  });
}
