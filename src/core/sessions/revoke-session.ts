import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { endSessions } from './end-sessions.ts';

/**
 * Revokes one of the user's own sessions. Another user's session id answers exactly like an
 * unknown one (session_not_found), so ids cannot be probed.
 */
export async function revokeSession(
  deps: CoreDeps,
  userId: string,
  sessionId: string,
  context: RequestContext,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    const sessions = await tx.sessions.listByUser(userId);
    if (!sessions.some((s) => s.id === sessionId)) throw new AuthError('session_not_found');
    await endSessions(deps, tx, [sessionId], 'session_revoked');
    await tx.audit.append(auditEvent(deps, 'session.revoked', context, { userId, detail: `session ${sessionId}` }));
  });
}
