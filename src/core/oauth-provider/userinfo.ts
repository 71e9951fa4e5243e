import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';
import { userClaims, type UserClaims } from '../accounts/user-claims.ts';
import { sessionHasEnded } from '../sessions/validate-session.ts';
import type { TokenDeps } from '../tokens/issue-access-token.ts';
import { verifyOwnAccessToken } from '../tokens/verify-own-access-token.ts';

/**
 * The UserInfo endpoint's answer (OIDC Core §5.3): the claims of the scopes the access token was
 * granted, for its user. The token must be one Gatehouse issued (signature, issuer, `typ:
 * at+jwt`, expiry), not revoked (its `jti` or its session's `sid` in the feed), its session
 * still live, and it must carry the `openid` scope. A DPoP-bound token is not accepted as a
 * bearer token.
 *
 * @example
 * const claims = await userInfo(deps, bearerToken);
 */
export async function userInfo(deps: CoreDeps & TokenDeps, accessToken: string): Promise<UserClaims> {
  const payload = await verifyOwnAccessToken(deps, accessToken);
  const invalid = (detail: string): AuthError => new AuthError('invalid_token', { detail });
  if (payload === null || typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.jti !== 'string') throw invalid('The access token is invalid or expired.');
  if (payload['cnf'] !== undefined) throw invalid('This access token is bound to a DPoP key; present it with a DPoP proof.');
  const scopes = typeof payload['scope'] === 'string' ? payload['scope'].split(' ') : [];
  if (!scopes.includes('openid')) throw new AuthError('insufficient_scope', { detail: 'The access token was not granted the openid scope.' });
  if (await deps.store.revocations.hasJti(payload.jti)) throw invalid('The access token was revoked.');
  const current = await deps.store.sessions.findWithUser(payload.sid);
  if (current === null || current.user.id !== payload.sub || current.user.disabledAtMs !== null || sessionHasEnded(current.session, deps.clock.nowMs(), deps.sessionPolicy)) {
    throw invalid('The login this access token belongs to has ended.');
  }
  const claims = await userClaims(deps, payload.sub, scopes);
  if (claims === null) throw invalid('The user no longer exists.');
  return claims;
}
