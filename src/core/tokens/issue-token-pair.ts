import type { Client, OpenIdLogin, RefreshTokenRecord, Session, Store } from '../ports.ts';
import type { IssuedAccessToken, TokenDeps } from './issue-access-token.ts';
import { newRefreshToken, type RefreshTokenParts } from './refresh-token-secret.ts';

export interface IssuedTokenPair extends IssuedAccessToken {
  refreshToken: string | null;
  /** The OpenID Connect ID token, for the authorization_code grant of an OpenID request. */
  idToken?: string;
}

/**
 * The first refresh token of a new family, when the client may refresh (null otherwise).
 * Call inside the transaction that created the session. A public client that sent a DPoP proof
 * (`dpopJkt`) gets a family bound to that key; an OpenID family keeps the login (`openIdLogin`)
 * its ID tokens on refresh repeat. The access token is signed after the
 * commit: signing needs the key ring, which reads outside the transaction.
 */
export async function issueRefreshToken(
  deps: Pick<TokenDeps, 'clock' | 'random' | 'refreshPolicy'>,
  tx: Store,
  input: { session: Session; client: Client; scope: string; dpopJkt?: string | null; parts?: RefreshTokenParts; openIdLogin?: OpenIdLogin | null },
): Promise<string | null> {
  if (!input.client.grantTypes.includes('refresh_token')) return null;
  const nowMs = deps.clock.nowMs();
  // `parts`: the token chosen before the transaction (a code exchange records its family when it spends the code).
  const { id, token, secretHash } = input.parts ?? newRefreshToken(deps.random, nowMs);
  const record: RefreshTokenRecord = {
    id,
    familyId: id,
    sessionId: input.session.id,
    clientId: input.client.id,
    secretHash,
    scope: input.scope,
    createdAtMs: nowMs,
    idleExpiresAtMs: nowMs + deps.refreshPolicy.idleTtlMs,
    familyExpiresAtMs: Math.min(nowMs + deps.refreshPolicy.absoluteTtlMs, input.session.expiresAtMs),
    usedAtMs: null,
    successorId: null,
    // RFC 9449 5: a public client's refresh tokens are bound to its DPoP key (a confidential
    // client's are already bound to it by client authentication).
    dpopJkt: input.client.type === 'public' ? (input.dpopJkt ?? null) : null,
    // The code flow with `openid`: what the ID tokens of this family report (OIDC Core 12.2).
    openIdLogin: input.openIdLogin ?? null,
  };
  await tx.refreshTokens.insert(record);
  return token;
}
