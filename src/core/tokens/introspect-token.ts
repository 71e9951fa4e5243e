import type { CoreDeps } from '../deps.ts';
import { parseSessionToken, secretMatches } from '../sessions/session-token.ts';
import { sessionHasEnded } from '../sessions/validate-session.ts';
import type { Client } from '../ports.ts';
import type { TokenDeps } from './issue-access-token.ts';
import { verifyOwnAccessToken } from './verify-own-access-token.ts';

export type Introspection =
  | { active: false }
  | { active: true; token_type: string; client_id: string; sub: string; sid: string; scope: string; exp: number; iat: number; iss?: string; jti?: string; aud?: string };

const inactive: Introspection = { active: false };

/**
 * RFC 7662 token introspection, for resource servers that would rather ask than verify
 * locally. Live means: signature, issuer, type and expiry hold, and its session still exists
 * and has not been revoked (nor the token itself, by jti). A refresh token is live when it is
 * unused, unexpired and its session lives. Anything else is just `{ active: false }`.
 *
 * A live token is described only to the client it was issued to, or (an access token) to a
 * client whose audience it is meant for; to any other caller it is `{ active: false }` (RFC 7662
 * section 4; docs/security.md SEC-107), so one API cannot learn who holds another's tokens.
 */
export async function introspectToken(deps: CoreDeps & TokenDeps, caller: Pick<Client, 'id' | 'audience'>, token: string): Promise<Introspection> {
  const nowMs = deps.clock.nowMs();
  const parsed = parseSessionToken(token);
  if (parsed !== null) {
    const record = await deps.store.refreshTokens.findById(parsed.id);
    if (record === null || !secretMatches(parsed.secret, record.secretHash) || record.usedAtMs !== null) return inactive;
    // A refresh token is meant for the audience of the client it was issued to.
    if (record.clientId !== caller.id && (await deps.store.clients.findById(record.clientId))?.audience !== caller.audience) return inactive;
    if (nowMs >= record.idleExpiresAtMs || nowMs >= record.familyExpiresAtMs) return inactive;
    const current = await deps.store.sessions.findWithUser(record.sessionId);
    if (current === null || current.user.disabledAtMs !== null || sessionHasEnded(current.session, nowMs, deps.sessionPolicy)) return inactive;
    return {
      active: true,
      token_type: 'refresh_token',
      client_id: record.clientId,
      sub: current.user.id,
      sid: record.sessionId,
      scope: record.scope,
      exp: Math.floor(Math.min(record.idleExpiresAtMs, record.familyExpiresAtMs) / 1000),
      iat: Math.floor(record.createdAtMs / 1000),
    };
  }
  const payload = await verifyOwnAccessToken(deps, token);
  if (payload === null) return inactive;
  const { sub, sid, jti, client_id: clientId, exp, iat, aud, scope } = payload as Record<string, unknown>;
  if (typeof sid !== 'string' || typeof jti !== 'string') return inactive;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (clientId !== caller.id && !audiences.includes(caller.audience)) return inactive;
  const current = await deps.store.sessions.findWithUser(sid);
  if (current === null || current.user.disabledAtMs !== null || sessionHasEnded(current.session, nowMs, deps.sessionPolicy)) return inactive;
  if (await deps.store.revocations.hasJti(jti)) return inactive;
  return {
    active: true,
    token_type: 'Bearer',
    iss: deps.issuer,
    sub: String(sub),
    sid,
    jti,
    client_id: String(clientId),
    aud: Array.isArray(aud) ? aud.join(' ') : String(aud),
    scope: typeof scope === 'string' ? scope : '',
    exp: Number(exp),
    iat: Number(iat),
  };
}
