import type { CoreDeps } from '../deps.ts';
import { enqueueBackchannelLogouts } from '../logout/enqueue-backchannel-logouts.ts';
import type { Store } from '../ports.ts';

export type EndReason =
  | 'logout'
  | 'session_revoked'
  | 'password_changed'
  | 'account_disabled'
  | 'account_deleted'
  | 'refresh_reuse'
  | 'replaced_at_login'
  | 'email_changed'
  | 'expired';

/**
 * The one way a live session ends: its row goes (and its refresh tokens with it), and a
 * revocation entry for its `sid` goes into the feed in the same transaction, so every verifier
 * refuses the session's access tokens until the last of them has expired anyway. Where the sid
 * revocation is published, the apps that were issued tokens under the session are queued a
 * back-channel logout, in the same transaction: whatever ended the session, they are told
 * (docs/security.md SEC-225).
 */
export async function endSessions(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'sessionPolicy' | 'trace'>,
  tx: Store,
  sessionIds: readonly string[],
  reason: EndReason,
): Promise<void> {
  const nowMs = deps.clock.nowMs();
  for (const sid of sessionIds) {
    await tx.sessions.delete(sid);
    await tx.revocations.append({ sid, jti: null, expiresAtMs: nowMs + deps.sessionPolicy.accessTokenTtlMs, createdAtMs: nowMs, reason });
    deps.trace?.step({
      kind: 'revocation',
      title: `Session ended (${reason})`,
      outcome: 'info',
      detail: {
        sid,
        sessionRow: 'deleted: the cookie fails on its very next use',
        feedEntry: `sid ${sid} refused by every verifier until ${new Date(nowMs + deps.sessionPolicy.accessTokenTtlMs).toISOString()}, when its last access token has expired anyway`,
      },
      teach: reason === 'logout' ? 'session-logout' : 'revocation',
    });
  }
  await enqueueBackchannelLogouts(deps, tx, sessionIds);
}

/** Ends every session of a user (but `exceptId`); returns the ids ended. */
export async function endSessionsOfUser(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'sessionPolicy' | 'trace'>,
  tx: Store,
  userId: string,
  reason: EndReason,
  exceptId?: string,
): Promise<string[]> {
  const ids = (await tx.sessions.listByUser(userId)).map((s) => s.id).filter((id) => id !== exceptId);
  await endSessions(deps, tx, ids, reason);
  return ids;
}
