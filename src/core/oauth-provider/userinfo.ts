import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';
import { userClaims, type UserClaims } from '../accounts/user-claims.ts';
import { sessionHasEnded } from '../sessions/validate-session.ts';
import type { TokenDeps } from '../tokens/issue-access-token.ts';
import { verifyOwnAccessToken } from '../tokens/verify-own-access-token.ts';
import { verifyDpopProof } from '../dpop/verify-dpop-proof.ts';

/** The access token of a UserInfo request, and how it was presented. */
export interface PresentedAccessToken {
  accessToken: string;
  /** `Authorization: DPoP`: the scheme of a sender-constrained token (RFC 9449 §7.1). */
  scheme: 'Bearer' | 'DPoP';
  /** The request's `DPoP` header, its method and the URL it was addressed to. */
  dpop?: { proof: string; method: string; url: string };
}

/**
 * The UserInfo endpoint's answer (OIDC Core §5.3): the claims of the scopes the access token was
 * granted, for its user. The token must be one Gatehouse issued (signature, issuer, `typ:
 * at+jwt`, expiry), not revoked (its `jti` or its session's `sid` in the feed), its session
 * still live, and it must carry the `openid` scope.
 *
 * A DPoP-bound token (`cnf.jkt`) is accepted only as `Authorization: DPoP` with a proof signed by
 * that key, for this request, carrying the token's hash (RFC 9449 §7.1, §4.3): a stolen bound
 * token is useless without the key. An unbound token presented under the DPoP scheme is refused
 * too, so a client never believes a token is protected when it is not.
 *
 * @example
 * const claims = await userInfo(deps, { accessToken, scheme: 'Bearer' });
 */
export async function userInfo(deps: CoreDeps & TokenDeps, presented: PresentedAccessToken): Promise<UserClaims> {
  const { accessToken } = presented;
  const payload = await verifyOwnAccessToken(deps, accessToken);
  const invalid = (detail: string): AuthError => new AuthError('invalid_token', { detail });
  if (payload === null || typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.jti !== 'string') throw invalid('The access token is invalid or expired.');
  const cnf = payload['cnf'];
  const boundJkt = typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string' ? (cnf as { jkt: string }).jkt : null;
  if (cnf !== undefined && boundJkt === null) throw invalid('The access token has a confirmation this endpoint does not know.');
  if (boundJkt === null && presented.scheme === 'DPoP') throw invalid('This access token is not bound to a DPoP key; send it as Authorization: Bearer.');
  if (boundJkt !== null) {
    if (presented.scheme !== 'DPoP') throw invalid('This access token is bound to a DPoP key; present it as Authorization: DPoP with a DPoP proof.');
    if (presented.dpop === undefined) throw new AuthError('invalid_dpop_proof', { detail: 'A DPoP proof is required with a DPoP-bound access token.' });
    const proof = await verifyDpopProof(deps, { ...presented.dpop, accessToken });
    if (proof.jkt !== boundJkt) throw new AuthError('invalid_dpop_proof', { detail: 'The DPoP proof was signed by another key than the one the access token is bound to.' });
  }
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
