import type { CoreDeps, SessionPolicy } from '../deps.ts';
import type { Session, SessionWithUser } from '../ports.ts';
import { parseSessionToken, secretMatches } from './session-token.ts';

/** Past its absolute limit, or unused for longer than the idle limit. */
export function sessionHasEnded(session: Session, nowMs: number, policy: SessionPolicy): boolean {
  return nowMs >= session.expiresAtMs || nowMs >= session.lastSeenAtMs + policy.idleTimeoutMs;
}

/**
 * The session check behind every authenticated request. Returns null for anything that is
 * not a live session: malformed, unknown, wrong secret, idle or absolute limit passed,
 * or a disabled account. Revocation deletes the row, so it holds on the very next request.
 *
 * @example
 * const current = await validateSession(deps, cookieValue);
 * if (current === null) reply.code(401);
 */
export async function validateSession(
  deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy'>,
  token: string,
): Promise<SessionWithUser | null> {
  const parsed = parseSessionToken(token);
  if (parsed === null) return null;
  const found = await deps.store.sessions.findWithUser(parsed.id);
  if (found === null || !secretMatches(parsed.secret, found.session.secretHash)) return null;
  if (found.user.disabledAtMs !== null) return null;

  const nowMs = deps.clock.nowMs();
  const { session } = found;
  const { touchIntervalMs } = deps.sessionPolicy;
  if (sessionHasEnded(session, nowMs, deps.sessionPolicy)) {
    await deps.store.sessions.delete(session.id);
    return null;
  }
  if (nowMs - session.lastSeenAtMs >= touchIntervalMs) {
    await deps.store.sessions.touch(session.id, nowMs);
    return { user: found.user, session: { ...session, lastSeenAtMs: nowMs } };
  }
  return found;
}
