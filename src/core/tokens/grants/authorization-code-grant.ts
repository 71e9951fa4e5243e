import { auditEvent } from '../../audit/audit-event.ts';
import { AuthError } from '../../errors.ts';
import { randomId } from '../../sessions/session-token.ts';
import { sessionHasEnded } from '../../sessions/validate-session.ts';
import type { CoreDeps, RequestContext } from '../../deps.ts';
import type { AuthorizationCodeRecord, Client, SessionWithUser } from '../../ports.ts';
import type { VerifiedDpopProof } from '../../dpop/verify-dpop-proof.ts';
import { hashAuthorizationCode } from '../../oauth-provider/issue-authorization-code.ts';
import { hashReference } from '../../trace/hash-reference.ts';
import { issueIdToken } from '../../oauth-provider/issue-id-token.ts';
import { pickRequestedClaims } from '../../oauth-provider/claims-request.ts';
import { userClaims, type UserClaims } from '../../accounts/user-claims.ts';
import { pkceVerifierMatches } from '../../oauth-provider/pkce.ts';
import { accessTokenExpiresAtMs, issueAccessToken, type TokenDeps } from '../issue-access-token.ts';
import { newRefreshToken } from '../refresh-token-secret.ts';
import { issueRefreshToken, type IssuedTokenPair } from '../issue-token-pair.ts';

export interface AuthorizationCodeInput {
  code: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

const invalidGrant = (detail: string): AuthError => new AuthError('invalid_grant', { detail });

/** The checks that need no write: whose code, which redirect URI, which PKCE verifier, which DPoP key (SEC-202, SEC-203, SEC-211). */
function assertBound(record: AuthorizationCodeRecord, client: Client, input: AuthorizationCodeInput, nowMs: number, proof: VerifiedDpopProof | null): void {
  // A code issued to another client is refused without spending it (SEC-202).
  if (record.clientId !== client.id) throw invalidGrant('This code was issued to another client.');
  if (nowMs >= record.expiresAtMs) throw invalidGrant('The code has expired.');
  if (input.redirectUri !== record.redirectUri) throw invalidGrant('redirect_uri must be the one of the authorization request.');
  if (record.codeChallenge === null) {
    // RFC 9700 §2.1.1: a verifier where no challenge was sent is a downgrade attempt (SEC-203).
    if (input.codeVerifier !== undefined) throw invalidGrant('This code was issued without PKCE: send no code_verifier.');
  } else if (input.codeVerifier === undefined || !pkceVerifierMatches(input.codeVerifier, record.codeChallenge)) {
    throw invalidGrant('code_verifier does not match the code_challenge.');
  }
  // RFC 9449 §10: a code bound to a DPoP key is redeemed only with a proof by that key; a thief
  // with the code alone, or with another key, is refused without spending it (SEC-211).
  if (record.dpopJkt !== null) {
    if (proof === null) throw new AuthError('invalid_dpop_proof', { detail: 'This code is bound to a DPoP key (dpop_jkt): send a DPoP proof signed with it.' });
    if (proof.jkt !== record.dpopJkt) throw invalidGrant('This code is bound to another DPoP key.');
  }
}

/**
 * Revokes what the first exchange of a code issued: its refresh token family, and its access
 * token through the revocation feed (RFC 6749 §4.1.2: a code used twice is an attack).
 */
async function revokeFirstExchange(deps: CoreDeps, record: AuthorizationCodeRecord, context: RequestContext): Promise<void> {
  const nowMs = deps.clock.nowMs();
  await deps.store.transaction(async (tx) => {
    if (record.refreshFamilyId !== null) await tx.refreshTokens.deleteFamily(record.sessionId, record.refreshFamilyId);
    if (record.accessTokenJti !== null && record.accessTokenExpiresAtMs !== null && record.accessTokenExpiresAtMs > nowMs) {
      await tx.revocations.append({ sid: null, jti: record.accessTokenJti, expiresAtMs: record.accessTokenExpiresAtMs, createdAtMs: nowMs, reason: 'token_revoked' });
    }
    await tx.audit.append(auditEvent(deps, 'authorization_code.reuse_detected', context, { userId: record.userId, detail: `client ${record.clientId}: the tokens of the first exchange are revoked` }));
  });
}

type Exchange = { kind: 'issued'; record: AuthorizationCodeRecord; current: SessionWithUser; refreshToken: string | null } | { kind: 'reused'; record: AuthorizationCodeRecord } | { kind: 'raced' };

/**
 * The user claims the request asked for in the ID token (`claims`, OIDC Core §5.5), as far as the
 * granted scopes cover them and the user has them; nothing is read when none were asked.
 */
async function requestedIdTokenClaims(deps: CoreDeps, record: AuthorizationCodeRecord): Promise<Partial<UserClaims>> {
  if (record.idTokenClaims.length === 0) return {};
  const granted = await userClaims(deps, record.userId, record.scope);
  return granted === null ? {} : pickRequestedClaims(granted, record.idTokenClaims);
}

/**
 * `grant_type=authorization_code` (RFC 6749 §4.1.3, OIDC Core §3.1.3): the code is single use,
 * bound to the client, the redirect URI and the PKCE challenge, and 60 seconds old at most. A
 * second exchange revokes every token the first one got (SEC-207): what an exchange issues (the
 * access token's `jti` and expiry, the refresh family) is chosen in its transaction and recorded
 * in the same write that spends the code, so it is known the moment the code is spent.
 * The session the user logged in with must still be live. Tokens: an RFC 9068 access token
 * carrying `sid`, a refresh token when `offline_access` was granted and the client may refresh
 * (the usual rotating family), and an ID token for an OpenID request. The client is recorded as
 * one that got tokens under the session, for back-channel logout.
 *
 * One transaction reads the code, spends it and records the rest (one COMMIT; on SQLite the
 * writer's connection, which has just written the code, reads it without a cold page cache).
 * A refused code (another client's, expired, wrong redirect URI or verifier) is left unspent.
 */
export async function authorizationCodeGrant(
  deps: CoreDeps & TokenDeps,
  client: Client,
  input: AuthorizationCodeInput,
  context: RequestContext,
  proof: VerifiedDpopProof | null = null,
): Promise<IssuedTokenPair> {
  if (!client.grantTypes.includes('authorization_code')) throw new AuthError('unauthorized_client');
  if (input.code === '' || input.code.length > 256) throw invalidGrant('Unknown code.');
  const codeHash = hashAuthorizationCode(input.code);
  const nowMs = deps.clock.nowMs();
  const dpopJkt = proof?.jkt ?? null;
  const jti = randomId(deps.random);

  const outcome = await deps.store.transaction(async (tx): Promise<Exchange> => {
    const record = await tx.authorizationCodes.findByHash(codeHash);
    if (record === null) throw invalidGrant('Unknown code.');
    if (record.clientId === client.id && record.usedAtMs !== null) return { kind: 'reused', record };
    assertBound(record, client, input, nowMs, proof);
    const current = await tx.sessions.findWithUser(record.sessionId);
    if (current === null || current.user.id !== record.userId || current.user.disabledAtMs !== null || sessionHasEnded(current.session, nowMs, deps.sessionPolicy)) {
      throw invalidGrant('The login this code came from has ended.');
    }
    const scopes = record.scope.split(' ');
    const refreshParts = scopes.includes('offline_access') && client.grantTypes.includes('refresh_token') ? newRefreshToken(deps.random, nowMs) : null;
    const issued = { refreshFamilyId: refreshParts?.id ?? null, accessTokenJti: jti, accessTokenExpiresAtMs: accessTokenExpiresAtMs(deps, nowMs, current.session.expiresAtMs) };
    // Conditional on "still unused": where transactions run concurrently (PostgreSQL), of two racing exchanges one wins.
    if (!(await tx.authorizationCodes.consume(codeHash, nowMs, issued))) return { kind: 'raced' };
    const openIdLogin = scopes.includes('openid') ? { authTimeMs: record.authTimeMs, acr: record.acr, amr: record.amr } : null;
    const refreshToken = refreshParts === null ? null : await issueRefreshToken(deps, tx, { session: current.session, client, scope: record.scope, dpopJkt, parts: refreshParts, openIdLogin });
    await tx.sessionClients.record({ sessionId: current.session.id, clientId: client.id, userId: current.user.id, firstIssuedAtMs: nowMs, lastIssuedAtMs: nowMs, expiresAtMs: current.session.expiresAtMs });
    return { kind: 'issued', record, current, refreshToken };
  });
  if (outcome.kind !== 'issued') {
    // A second exchange, or one that lost the race against another a moment ago: the same attack.
    const used = outcome.kind === 'reused' ? outcome.record : await deps.store.authorizationCodes.findByHash(codeHash);
    if (used !== null) await revokeFirstExchange(deps, used, context);
    throw invalidGrant('This code was already used; the tokens it gave are revoked.');
  }

  const { record, current, refreshToken } = outcome;
  if (deps.trace?.recording === true) {
    deps.trace.step({
      kind: 'oauth',
      title: 'Authorization code exchanged',
      outcome: 'ok',
      detail: { code: `${hashReference(codeHash)} (found by its hash, now spent)`, checks: ['issued to this client', 'not expired (60 s)', 'redirect_uri is the one of the request', record.codeChallenge === null ? 'no PKCE challenge, and no verifier sent' : 'PKCE: SHA-256 of the code_verifier matches the stored S256 challenge'] },
      teach: 'authorization-code',
    });
  }
  const access = await issueAccessToken(deps, { user: current.user, session: current.session, client, scope: record.scope, dpopJkt, jti, nowMs });
  const idToken = record.scope.split(' ').includes('openid')
    ? await issueIdToken(deps, { client, userId: current.user.id, sessionId: current.session.id, authTimeMs: record.authTimeMs, nonce: record.nonce, amr: record.amr, acr: record.acr, userClaims: await requestedIdTokenClaims(deps, record) })
    : undefined;
  return { ...access, refreshToken, ...(idToken === undefined ? {} : { idToken }) };
}
