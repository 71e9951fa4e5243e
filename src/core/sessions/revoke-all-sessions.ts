import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { endSessionsOfUser } from './end-sessions.ts';

/** Operator action (CLI): ends every session of a user. Returns the ids ended. */
export async function revokeAllSessions(deps: CoreDeps, userId: string, context: RequestContext): Promise<string[]> {
  return deps.store.transaction(async (tx) => {
    const ended = await endSessionsOfUser(deps, tx, userId, 'session_revoked');
    for (const id of ended) {
      await tx.audit.append(auditEvent(deps, 'session.revoked', context, { userId, detail: `session ${id} by operator` }));
    }
    return ended;
  });
}
