import type { CoreDeps } from '../deps.ts';
import type { Session } from '../ports.ts';

/** The user's live sessions, most recently seen first. */
export async function listSessions(deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy'>, userId: string): Promise<Session[]> {
  const nowMs = deps.clock.nowMs();
  const sessions = await deps.store.sessions.listByUser(userId);
  return sessions
    .filter((s) => nowMs < s.expiresAtMs && nowMs < s.lastSeenAtMs + deps.sessionPolicy.idleTimeoutMs)
    .sort((a, b) => b.lastSeenAtMs - a.lastSeenAtMs);
}
