import type { CoreDeps } from '../deps.ts';
import type { AuthorizationParams, SessionWithUser } from '../ports.ts';
import { hashReference } from '../trace/hash-reference.ts';
import { hashSecret } from '../sessions/session-token.ts';

/** OAuth 2.1 §4.1.2: a code lives 60 seconds at most; RPs exchange it within one or two. */
export const authorizationCodeTtlMs = 60_000;
const codeBytes = 32;

/** The assurance level a session reached, reported as `acr`: a second factor (or a passkey with user verification) is level 2. */
export function acrOf(amr: readonly string[]): string {
  return amr.includes('mfa') ? 'urn:gatehouse:loa:2' : 'urn:gatehouse:loa:1';
}

/** SHA-256 of a code, as stored: node's one-shot hash, like a session secret's (no Hash object per code). */
export function hashAuthorizationCode(code: string): Uint8Array {
  return hashSecret(code);
}

/**
 * Issues an authorization code for the session's user: 256 random bits, stored only as SHA-256,
 * bound to the client, the redirect URI, the PKCE challenge, the nonce and the session, valid
 * for 60 seconds and for one exchange.
 *
 * @example
 * const code = await issueAuthorizationCode(deps, params, current);
 */
export async function issueAuthorizationCode(deps: Pick<CoreDeps, 'store' | 'clock' | 'random' | 'trace'>, params: AuthorizationParams, current: SessionWithUser): Promise<string> {
  const code = Buffer.from(deps.random.bytes(codeBytes)).toString('base64url');
  const codeHash = hashAuthorizationCode(code);
  const nowMs = deps.clock.nowMs();
  await deps.store.authorizationCodes.insert({
    codeHash,
    clientId: params.clientId,
    userId: current.user.id,
    sessionId: current.session.id,
    redirectUri: params.redirectUri,
    scope: params.scope,
    nonce: params.nonce,
    codeChallenge: params.codeChallenge,
    authTimeMs: current.session.authTimeMs,
    amr: [...current.session.amr],
    acr: acrOf(current.session.amr),
    idTokenClaims: params.idTokenClaims ?? [],
    dpopJkt: params.dpopJkt ?? null,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + authorizationCodeTtlMs,
    usedAtMs: null,
    refreshFamilyId: null,
    accessTokenJti: null,
    accessTokenExpiresAtMs: null,
  });
  if (deps.trace?.recording !== true) return code;
  deps.trace.step({
    kind: 'oauth',
    title: `Authorization code issued to ${params.clientId}`,
    outcome: 'info',
    detail: {
      code: `${hashReference(codeHash)} (stored hashed; 60 s, one exchange)`,
      clientId: params.clientId,
      redirectUri: params.redirectUri,
      scope: params.scope,
      pkce: params.codeChallenge === null ? 'none' : 'S256 challenge stored; the verifier must come with the exchange',
      nonce: params.nonce,
      sessionId: current.session.id,
    },
    teach: 'authorization-code',
  });
  return code;
}
