import type { CoreDeps, SessionPolicy } from '../deps.ts';
import type { Session, SessionWithUser } from '../ports.ts';
import type { TraceStep } from '../trace/ports.ts';
import { parseSessionToken, secretMatches } from './session-token.ts';
import { hashReference } from '../trace/hash-reference.ts';

/** Past its absolute limit, or unused for longer than the idle limit. */
export function sessionHasEnded(session: Session, nowMs: number, policy: SessionPolicy): boolean {
  return nowMs >= session.expiresAtMs || nowMs >= session.lastSeenAtMs + policy.idleTimeoutMs;
}

/** Last-seen is written at most once per touch interval. */
function touchDue(session: Session, nowMs: number, policy: SessionPolicy): boolean {
  return nowMs - session.lastSeenAtMs >= policy.touchIntervalMs;
}

/**
 * The session check answered from memory, with no promise: for a session the store's cache holds
 * (`Store.sessionFromMemory`), the same checks as `validateSession` (the secret's SHA-256 compared
 * in constant time, the account enabled, the idle and absolute limits). Undefined for everything
 * else, which `validateSession` then answers with its trace steps: a token not in memory, one it
 * would refuse, a session ended or due a last-seen write, and any check while the inspector records.
 */
export function validateSessionFromMemory(deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy' | 'trace'>, token: string): SessionWithUser | undefined {
  if (deps.store.sessionFromMemory === undefined || deps.trace?.recording === true) return undefined;
  const parsed = parseSessionToken(token);
  const found = parsed === null ? undefined : deps.store.sessionFromMemory(parsed.id);
  if (parsed === null || found === undefined || !secretMatches(parsed.secret, found.session.secretHash) || found.user.disabledAtMs !== null) return undefined;
  const nowMs = deps.clock.nowMs();
  return sessionHasEnded(found.session, nowMs, deps.sessionPolicy) || touchDue(found.session, nowMs, deps.sessionPolicy) ? undefined : found;
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
  deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy' | 'trace'>,
  token: string,
): Promise<SessionWithUser | null> {
  // With the inspector off (the no-op recorder), no step is built: every refusal below is as
  // cheap as with no recorder at all (PERF.md "inspector off").
  const parsed = parseSessionToken(token);
  if (parsed === null) {
    if (deps.trace?.recording === true) deps.trace.step({ kind: 'decision', title: 'Session cookie malformed', outcome: 'refused', detail: { expected: 'id.secret: 22 + 43 base64url characters' }, teach: 'session-token' });
    return null;
  }
  const found = await deps.store.sessions.findWithUser(parsed.id);
  if (found === null || !secretMatches(parsed.secret, found.session.secretHash)) {
    if (deps.trace?.recording === true) deps.trace.step({ kind: 'decision', title: found === null ? 'No such session' : 'Session secret does not match', outcome: 'refused', detail: { sessionId: parsed.id, comparedInConstantTime: found !== null }, teach: 'session-token' });
    return null;
  }
  if (found.user.disabledAtMs !== null) {
    if (deps.trace?.recording === true) deps.trace.step({ kind: 'decision', title: 'Account disabled', outcome: 'refused', detail: { sessionId: parsed.id, userId: found.user.id } });
    return null;
  }

  const nowMs = deps.clock.nowMs();
  const { session } = found;
  const ended = sessionHasEnded(session, nowMs, deps.sessionPolicy);
  const touch = !ended && touchDue(session, nowMs, deps.sessionPolicy);
  if (deps.trace?.recording === true) deps.trace.step(sessionCheckStep(session, nowMs, deps.sessionPolicy, ended, touch));
  if (ended) {
    await deps.store.sessions.delete(session.id);
    return null;
  }
  if (touch) {
    await deps.store.sessions.touch(session.id, nowMs);
    return { user: found.user, session: { ...session, lastSeenAtMs: nowMs } };
  }
  return found;
}

/** The inspector's view of a session check: the deadlines and whether last-seen is written. */
function sessionCheckStep(session: Session, nowMs: number, policy: SessionPolicy, ended: boolean, touch: boolean): TraceStep {
  return {
    kind: 'decision',
    title: ended ? 'Session ended (idle or absolute limit passed)' : 'Session valid',
    outcome: ended ? 'refused' : 'ok',
    detail: {
      sessionId: session.id,
      secretHash: hashReference(session.secretHash),
      secretCompare: 'SHA-256 of the cookie secret, compared in constant time',
      idleDeadline: new Date(session.lastSeenAtMs + policy.idleTimeoutMs).toISOString(),
      absoluteDeadline: new Date(session.expiresAtMs).toISOString(),
      lastSeenWritten: touch ? 'yes: the last write is older than the touch interval' : `no: written at most every ${String(policy.touchIntervalMs / 1000)} s`,
    },
    teach: 'session-timeouts',
  };
}
