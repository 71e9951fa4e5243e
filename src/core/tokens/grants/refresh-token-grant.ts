import { auditEvent } from '../../audit/audit-event.ts';
import { AuthError } from '../../errors.ts';
import { parseSessionToken, secretMatches } from '../../sessions/session-token.ts';
import { sessionHasEnded } from '../../sessions/validate-session.ts';
import type { CoreDeps, RequestContext } from '../../deps.ts';
import type { Client, OpenIdLogin, RefreshTokenRecord, RefreshTokenWithSession, SessionWithUser } from '../../ports.ts';
import { issueAccessToken, type TokenDeps } from '../issue-access-token.ts';
import type { IssuedTokenPair } from '../issue-token-pair.ts';
import { successorPointedTo, successorRefreshToken } from '../refresh-token-secret.ts';
import { endSessions } from '../../sessions/end-sessions.ts';
import type { VerifiedDpopProof } from '../../dpop/verify-dpop-proof.ts';
import { issueIdToken } from '../../oauth-provider/issue-id-token.ts';

type Outcome =
  | { kind: 'issued'; current: SessionWithUser; scope: string; openIdLogin: OpenIdLogin | null; refreshToken: string }
  | { kind: 'reuse'; familyId: string; sessionId: string; userId: string | null };

const invalidGrant = (detail: string): AuthError => new AuthError('invalid_grant', { detail });

/** The presented token and its session, checked: where every path of the grant starts. */
function verified(
  deps: CoreDeps & TokenDeps,
  client: Client,
  secret: string,
  found: RefreshTokenWithSession | null,
  proof: VerifiedDpopProof | null,
  nowMs: number,
): { record: RefreshTokenRecord; current: SessionWithUser } {
  const record = found?.token ?? null;
  if (record === null || !secretMatches(secret, record.secretHash)) throw invalidGrant('Unknown refresh token.');
  if (record.clientId !== client.id) throw invalidGrant('This refresh token belongs to another client.');
  if (nowMs >= record.familyExpiresAtMs || nowMs >= record.idleExpiresAtMs) throw invalidGrant('The refresh token has expired.');
  // RFC 9449 5: a bound family refreshes only with a proof by its key, checked before anything
  // is rotated, so a thief without the private key cannot even burn the token.
  if (record.dpopJkt !== null) {
    if (proof === null) throw new AuthError('invalid_dpop_proof', { detail: 'This refresh token is bound to a DPoP key: send a DPoP proof.' });
    if (proof.jkt !== record.dpopJkt) throw invalidGrant('This refresh token is bound to another DPoP key.');
  }
  const current = found?.current ?? null;
  if (current === null || current.user.disabledAtMs !== null || sessionHasEnded(current.session, nowMs, deps.sessionPolicy)) {
    throw invalidGrant('The session this token belongs to has ended.');
  }
  return { record, current };
}

/**
 * `grant_type=refresh_token`, rotating: the presented token is marked used and its successor
 * stored in one atomic step, committed before the answer, so a crash never leaves two live tokens.
 *
 * - The common case takes two storage steps and no transaction (on a store whose transactions
 *   cost round trips: PostgreSQL): one read of the token with its session and user, the checks,
 *   then the rotation, which is atomic and durable on its own
 *   (`RefreshTokenStore.rotate`: one statement on PostgreSQL) and happens only if the token is
 *   still unused. Everything the checks read is either fixed for the token's life (its client,
 *   family, DPoP key, deadlines) or only ever moves one way (a session ends, a user is
 *   disabled, a token is used), and a session that ends takes its tokens with it (a foreign key
 *   on SQL), so a rotation racing a logout finds nothing to rotate.
 * - Where transactions are local (`Store.localTransactions`: SQLite), every grant is settled in
 *   one transaction instead (a member of the next group commit): the same read, checks and
 *   rotation, the read sharing the transaction's lock rather than taking one of its own.
 * - A token already used, or rotated by another request between that read and the write, is
 *   settled in a transaction, on the latest rows:
 *   - the same token presented again within `reuseGraceMs` of its rotation, by the same client,
 *     is a benign race (two tabs): both callers get the same successor, recomputed from the
 *     presented secret (refresh-token-secret.ts), each with its own fresh access token;
 *   - presented again after that, or after its successor was itself used: theft is assumed. The
 *     whole family and its session are revoked, and the answer is `invalid_grant`.
 * - A family bound to a DPoP key (a public client's, RFC 9449 5) needs a proof by that key.
 * - Another client's token, an expired one (idle or absolute), or one whose session ended or
 *   whose user is disabled: `invalid_grant`.
 */
export async function refreshTokenGrant(
  deps: CoreDeps & TokenDeps,
  client: Client,
  presentedToken: string,
  context: RequestContext,
  proof: VerifiedDpopProof | null = null,
): Promise<IssuedTokenPair> {
  if (!client.grantTypes.includes('refresh_token')) throw new AuthError('unauthorized_client');
  const parsed = parseSessionToken(presentedToken);
  if (parsed === null) throw invalidGrant('Malformed refresh token.');
  const touchDue = (current: SessionWithUser, nowMs: number): boolean => nowMs - current.session.lastSeenAtMs >= deps.sessionPolicy.touchIntervalMs;

  // The successor of a rotation at `rotatedAtMs`: its id carries that time (refresh-token-secret.ts).
  const successorAt = (rotatedAtMs: number) => successorRefreshToken(deps.rotationKey, parsed.secret, rotatedAtMs);
  const successorOf = (record: RefreshTokenRecord, nowMs: number, successor: { id: string; secretHash: Uint8Array }): RefreshTokenRecord => successorRecord(record, successor, nowMs, deps.refreshPolicy.idleTtlMs);
  let outcome: Outcome | null = null;
  // The common case: read, check, rotate (see above). Where transactions are local (SQLite), the
  // transaction below does the same in one instead: its read shares the transaction's lock.
  if (deps.store.localTransactions !== true) {
    const nowMs = deps.clock.nowMs();
    const { record, current } = verified(deps, client, parsed.secret, await deps.store.refreshTokens.findWithSession(parsed.id), proof, nowMs);
    if (record.usedAtMs === null) {
      // Before the rotation: a failed touch then fails the grant with nothing rotated.
      if (touchDue(current, nowMs)) await deps.store.sessions.touch(current.session.id, nowMs);
      const successor = successorAt(nowMs);
      if (await deps.store.refreshTokens.rotate(record.id, nowMs, successorOf(record, nowMs, successor))) outcome = { kind: 'issued', current, scope: record.scope, openIdLogin: record.openIdLogin, refreshToken: successor.token };
    }
  }

  // Used already, or rotated meanwhile: settled on the latest rows, in one transaction.
  outcome ??= await deps.store.transaction(async (tx): Promise<Outcome> => {
    const nowMs = deps.clock.nowMs();
    const { record, current } = verified(deps, client, parsed.secret, await tx.refreshTokens.findWithSession(parsed.id), proof, nowMs);
    const issueFor = async (refreshToken: string): Promise<Outcome> => {
      if (touchDue(current, nowMs)) await tx.sessions.touch(current.session.id, nowMs);
      return { kind: 'issued', current, scope: record.scope, openIdLogin: record.openIdLogin, refreshToken };
    };
    // The benign race: rotated moments ago (to the successor this secret derives at that time), and that successor not used yet.
    const idempotent = async (used: RefreshTokenRecord): Promise<Outcome | null> => {
      if (used.usedAtMs === null || nowMs - used.usedAtMs > deps.refreshPolicy.reuseGraceMs) return null;
      const successor = used.successorId === null ? null : successorPointedTo(deps.rotationKey, parsed.secret, used.usedAtMs, used.successorId);
      if (successor === null) return null;
      const next = await tx.refreshTokens.findById(successor.id);
      return next === null || next.usedAtMs !== null ? null : issueFor(successor.token);
    };

    if (record.usedAtMs !== null) {
      return (await idempotent(record)) ?? { kind: 'reuse', familyId: record.familyId, sessionId: record.sessionId, userId: current.user.id };
    }
    const successor = successorAt(nowMs);
    if (!(await tx.refreshTokens.rotate(record.id, nowMs, successorOf(record, nowMs, successor)))) {
      // Another instance rotated it between our read and our write: the same race, seen later.
      const latest = await tx.refreshTokens.findById(record.id);
      const repeated = latest === null ? null : await idempotent(latest);
      if (repeated === null) throw invalidGrant('The refresh token was already used.');
      return repeated;
    }
    return issueFor(successor.token);
  });

  if (deps.trace?.recording === true) deps.trace.step({
    kind: 'decision',
    title: outcome.kind === 'issued' ? 'Refresh token rotated' : 'Used refresh token presented again: family and session revoked',
    outcome: outcome.kind === 'issued' ? 'ok' : 'refused',
    detail:
      outcome.kind === 'issued'
        ? { presentedId: parsed.id, successorId: outcome.refreshToken.split('.')[0] ?? '', clientId: client.id, presented: 'marked used, successor stored, in one transaction', graceForRacingTabs: `${String(deps.refreshPolicy.reuseGraceMs / 1000)} s` }
        : { presentedId: parsed.id, familyId: outcome.familyId, sessionId: outcome.sessionId },
    teach: 'refresh-rotation',
  });
  if (outcome.kind === 'issued') {
    // Signed after the commit: the key ring reads outside the transaction.
    const access = await issueAccessToken(deps, { user: outcome.current.user, session: outcome.current.session, client, scope: outcome.scope, dpopJkt: proof?.jkt ?? null });
    const idToken = await refreshedIdToken(deps, client, outcome);
    return { ...access, refreshToken: outcome.refreshToken, ...(idToken === null ? {} : { idToken }) };
  }
  // Reuse: revoke the family and its session, committed before the refusal is sent.
  await deps.store.transaction(async (tx) => {
    await tx.refreshTokens.deleteFamily(outcome.sessionId, outcome.familyId);
    await endSessions(deps, tx, [outcome.sessionId], 'refresh_reuse');
    await tx.audit.append(
      auditEvent(deps, 'refresh.reuse_detected', context, { userId: outcome.userId, detail: `family ${outcome.familyId} and session ${outcome.sessionId} revoked` }),
    );
  });
  throw invalidGrant('This refresh token was already used; its whole family has been revoked.');
}

/**
 * OIDC Core 12.2: an OpenID family's refresh answers a new ID token with the same `sub`, `aud`,
 * `azp` and `sid`, the `auth_time`, `acr` and `amr` of the original authentication (kept on the
 * family, not the session's latest), and no `nonce` (it belonged to the authorization request).
 * Families without `openid`, and those from before their login was kept, get none.
 */
async function refreshedIdToken(deps: CoreDeps & TokenDeps, client: Client, outcome: { current: SessionWithUser; scope: string; openIdLogin: OpenIdLogin | null }): Promise<string | null> {
  const login = outcome.openIdLogin;
  if (login === null || !outcome.scope.split(' ').includes('openid')) return null;
  return issueIdToken(deps, { client, userId: outcome.current.user.id, sessionId: outcome.current.session.id, authTimeMs: login.authTimeMs, nonce: null, amr: login.amr, acr: login.acr });
}

function successorRecord(record: RefreshTokenRecord, successor: { id: string; secretHash: Uint8Array }, nowMs: number, idleTtlMs: number): RefreshTokenRecord {
  return {
    id: successor.id,
    familyId: record.familyId,
    sessionId: record.sessionId,
    clientId: record.clientId,
    secretHash: successor.secretHash,
    scope: record.scope,
    createdAtMs: nowMs,
    idleExpiresAtMs: Math.min(nowMs + idleTtlMs, record.familyExpiresAtMs),
    familyExpiresAtMs: record.familyExpiresAtMs,
    usedAtMs: null,
    successorId: null,
    dpopJkt: record.dpopJkt,
    openIdLogin: record.openIdLogin,
  };
}
