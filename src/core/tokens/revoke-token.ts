import type { CoreDeps } from '../deps.ts';
import type { Client } from '../ports.ts';
import { endSessions } from '../sessions/end-sessions.ts';
import { parseSessionToken, secretMatches } from '../sessions/session-token.ts';
import type { TokenDeps } from './issue-access-token.ts';
import { verifyOwnAccessToken } from './verify-own-access-token.ts';

/**
 * RFC 7009 token revocation, by the client the token was issued to.
 *
 * - A refresh token ends its grant: the session it belongs to (and with it the whole refresh
 *   family), with a `sid` revocation in the feed so the session's access tokens die everywhere.
 * - An access token we issued gets a `jti` revocation in the feed until its `exp`.
 * - Anything else (unknown, expired, another client's) is ignored: RFC 7009 2.2 answers 200
 *   either way, so revocation cannot be used to probe which tokens exist.
 */
export async function revokeToken(deps: CoreDeps & TokenDeps, client: Client, token: string): Promise<void> {
  const parsed = parseSessionToken(token);
  if (parsed !== null) {
    const record = await deps.store.refreshTokens.findById(parsed.id);
    if (record === null || record.clientId !== client.id || !secretMatches(parsed.secret, record.secretHash)) return;
    await deps.store.transaction((tx) => endSessions(deps, tx, [record.sessionId], 'session_revoked'));
    return;
  }
  const payload = await verifyOwnAccessToken(deps, token);
  if (payload === null || payload.client_id !== client.id || typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return;
  const nowMs = deps.clock.nowMs();
  const { jti, exp } = payload;
  await deps.store.transaction((tx) => tx.revocations.append({ sid: null, jti, expiresAtMs: exp * 1000, createdAtMs: nowMs, reason: 'token_revoked' }));
}
