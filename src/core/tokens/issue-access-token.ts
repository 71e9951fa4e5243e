import { signJwt } from './sign-jwt.ts';
import { randomId } from '../sessions/session-token.ts';
import type { Client, Clock, Random, Session, User } from '../ports.ts';
import type { KeyRing } from './key-ring.ts';
import type { IdTokenKeys } from './id-token-keys.ts';
import type { TraceRecorder, TraceValue } from '../trace/ports.ts';

export interface TokenDeps {
  keyRing: KeyRing;
  /** The ID token key rings, one per algorithm (id-token-keys.ts). */
  idTokenKeys: IdTokenKeys;
  clock: Clock;
  random: Random;
  /** `iss` of every token: the public URL. */
  issuer: string;
  /** Access tokens always expire: 5 minutes by default. */
  accessTokenTtlMs: number;
  refreshPolicy: RefreshPolicy;
  /** HMAC key (from the server secret) that derives a refresh token's successor; see rotate-refresh-token.ts. */
  rotationKey: Uint8Array;
  /** The password grant is first-party only and can be switched off. */
  passwordGrantEnabled: boolean;
  /** The inspector's recorder (core/trace/ports.ts); routes pass CoreDeps and TokenDeps together, so it comes from CoreDeps. */
  trace?: TraceRecorder;
}

export interface RefreshPolicy {
  /** A refresh token unused this long dies. */
  idleTtlMs: number;
  /** A family (login) ends this long after it started, however used. */
  absoluteTtlMs: number;
  /** Presenting the same token again this soon after it rotated is a benign race, answered idempotently. */
  reuseGraceMs: number;
}

export interface IssuedAccessToken {
  accessToken: string;
  jti: string;
  expiresAtMs: number;
  expiresInSeconds: number;
  scope: string;
  /** `DPoP` when the token is bound to a key (`cnf.jkt`, RFC 9449 6), else `Bearer`. */
  tokenType: 'Bearer' | 'DPoP';
}

/**
 * Signs an RFC 9068 access token (`typ: at+jwt`) for a user's session and a client. It carries
 * `sid`, the Gatehouse session, so revoking the session reaches every token it produced, and the
 * session's `amr` and `auth_time`. It never outlives the session either.
 *
 * @example
 * const { accessToken } = await issueAccessToken(tokenDeps, { user, session, client, scope: '' });
 */
export async function issueAccessToken(
  deps: TokenDeps,
  input: { user: User; session: Session; client: Client; scope: string; dpopJkt?: string | null },
): Promise<IssuedAccessToken> {
  const { kid, alg, privateKey } = await deps.keyRing.activeKey();
  const nowMs = deps.clock.nowMs();
  const expiresAtMs = Math.min(nowMs + deps.accessTokenTtlMs, input.session.expiresAtMs);
  const jti = randomId(deps.random);
  // RFC 9068 2.2.3: `scope` is there when scopes were granted; an empty string is not a scope list.
  const claims: Record<string, unknown> = { client_id: input.client.id, sid: input.session.id };
  if (input.scope !== '') claims['scope'] = input.scope;
  // RFC 9068 2.2.1: how the user authenticated, from the session (RFC 8176 values: `pwd`, `otp`,
  // `hwk`/`swk` for a passkey, `mfa`...) and when, so an API can ask for a passkey or for MFA.
  if (input.session.amr.length > 0) claims['amr'] = [...input.session.amr];
  claims['auth_time'] = Math.floor(input.session.authTimeMs / 1000);
  // RFC 9449 6.1: bound to the DPoP key that asked for it; a resource server then wants a proof by that key.
  const dpopJkt = input.dpopJkt ?? null;
  if (dpopJkt !== null) claims['cnf'] = { jkt: dpopJkt };
  const header = { alg, kid, typ: 'at+jwt' };
  const payload = { ...claims, iss: deps.issuer, sub: input.user.id, aud: input.client.audience, iat: Math.floor(nowMs / 1000), exp: Math.floor(expiresAtMs / 1000), jti };
  const accessToken = signJwt(header, payload, privateKey);
  deps.trace?.step({
    kind: 'jwt',
    title: 'Access token issued (JWT)',
    outcome: 'info',
    detail: {
      header,
      claims: payload as { [key: string]: TraceValue },
      lifetime: `${String(Math.floor((expiresAtMs - nowMs) / 1000))} s, never past the session`,
      checksEveryVerifierMakes: [`signature with kid ${kid} from the JWKS, algorithm pinned to ${alg}`, `iss is ${deps.issuer}`, `aud is ${input.client.audience}`, 'exp not passed', 'typ is at+jwt', 'sid not in the revocation feed', ...(dpopJkt === null ? [] : ['a DPoP proof by the key in cnf.jkt'])],
    },
    teach: 'jwt-access-token',
  });
  return { accessToken, jti, expiresAtMs, expiresInSeconds: Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000)), scope: input.scope, tokenType: dpopJkt === null ? 'Bearer' : 'DPoP' };
}
