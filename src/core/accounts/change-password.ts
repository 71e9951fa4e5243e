import { auditEvent } from '../audit/audit-event.ts';
import { startSession, type StartedSession } from '../sessions/start-session.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import { assertAcceptablePassword, normalizePassword } from './password-policy.ts';
import { requireRecentAuthentication } from '../sessions/recent-authentication.ts';
import { endSessionsOfUser } from '../sessions/end-sessions.ts';
import { notifySecurityEvent } from '../mail/notify-security-event.ts';

/**
 * Changes the password. Needs the current one (ASVS 6.2.3), checked by the re-authentication
 * gate every sensitive change goes through (docs/security.md SEC-100); ends every session of
 * the account, the current one included, and returns a fresh session for this device: a
 * privilege change gets a new session id (ASVS 7.2.4), and other devices are logged out (ASVS 7.4.3).
 */
export async function changePassword(
  deps: CoreDeps,
  current: SessionWithUser,
  input: { currentPassword: string; newPassword: string },
  context: RequestContext,
): Promise<StartedSession> {
  // The new password is checked first: a refused one must not count as a re-authentication.
  assertAcceptablePassword(input.newPassword, current.user.email, deps.passwordPolicy);
  const { user, session } = await requireRecentAuthentication(deps, current, { password: input.currentPassword }, context);
  const passwordHash = await deps.hasher.hash(normalizePassword(input.newPassword));
  const started = await deps.store.transaction(async (tx) => {
    await tx.users.updatePasswordHash(user.id, passwordHash, deps.clock.nowMs());
    // A change of address asked for from a session that is now ended cannot be confirmed any more (docs/security.md SEC-144).
    await tx.oneTimeTokens.deleteByUser(user.id, 'change_email');
    const ended = await endSessionsOfUser(deps, tx, user.id, 'password_changed');
    const started = await startSession(deps, tx, user.id, context, { authTimeMs: session.authTimeMs, amr: session.amr });
    await tx.audit.append(
      auditEvent(deps, 'password.changed', context, { userId: user.id, detail: `ended ${ended.length} sessions` }),
    );
    return started;
  });
  notifySecurityEvent(deps, 'password_changed', user, context);
  return started;
}
