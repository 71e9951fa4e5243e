import { signJwt } from './sign-jwt.ts';
import { randomId } from '../sessions/session-token.ts';
import type { Client, ClientJwksSource, Clock, Random, Session, User } from '../ports.ts';
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
  /** Keys private_key_jwt clients publish at a jwks_uri (fetched, bounded, cached); without it only inline JWKS work. */
  clientJwks?: ClientJwksSource;
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
 * An access token's `jti` and issue time chosen before it is signed, for a grant that records
 * them in its transaction (the authorization code grant: what a code's first exchange issued).
 */
export interface ReservedAccessToken {
  jti?: string;
  nowMs?: number;
}

/** When an access token issued at `nowMs` expires: after its TTL, and never after `notAfterMs` (the session's end). */
export function accessTokenExpiresAtMs(deps: Pick<TokenDeps, 'accessTokenTtlMs'>, nowMs: number, notAfterMs: number): number {
  return Math.min(nowMs + deps.accessTokenTtlMs, notAfterMs);
}

/**
 * Signs an RFC 9068 access token (`typ: at+jwt`) with the active key, for any subject: the one
 * place that assembles `iss`, `aud`, `iat`, `exp`, `jti`, `client_id`, `scope` and the DPoP
 * binding, used by {@link issueAccessToken} (a user's session) and by the client credentials grant.
 * The audience is the client's unless an RFC 8707 `resource` chose another it is allowed.
 *
 * @example
 * const issued = await signAccessToken(tokenDeps, { subject: client.id, client, audience: client.audience, scope: '', claims: {}, notAfterMs: Infinity });
 */
export async function signAccessToken(
  deps: TokenDeps,
  input: { subject: string; client: Client; audience: string; scope: string; claims: Record<string, unknown>; notAfterMs: number; dpopJkt?: string | null } & ReservedAccessToken,
): Promise<IssuedAccessToken> {
  const { kid, alg, privateKey } = await deps.keyRing.activeKey();
  const nowMs = input.nowMs ?? deps.clock.nowMs();
  const expiresAtMs = accessTokenExpiresAtMs(deps, nowMs, input.notAfterMs);
  const jti = input.jti ?? randomId(deps.random);
  const claims: Record<string, unknown> = { client_id: input.client.id, ...input.claims };
  // RFC 9068 2.2.3: `scope` is there when scopes were granted; an empty string is not a scope list.
  if (input.scope !== '') claims['scope'] = input.scope;
  // RFC 9449 6.1: bound to the DPoP key that asked for it; a resource server then wants a proof by that key.
  const dpopJkt = input.dpopJkt ?? null;
  if (dpopJkt !== null) claims['cnf'] = { jkt: dpopJkt };
  const header = { alg, kid, typ: 'at+jwt' };
  const payload = { ...claims, iss: deps.issuer, sub: input.subject, aud: input.audience, iat: Math.floor(nowMs / 1000), exp: Math.floor(expiresAtMs / 1000), jti };
  const accessToken = signJwt(header, payload, privateKey);
  const sessionBound = typeof claims['sid'] === 'string';
  // The step is built only when someone records it: every refresh grant passes here.
  if (deps.trace?.recording === true) deps.trace.step({
    kind: 'jwt',
    title: 'Access token issued (JWT)',
    outcome: 'info',
    detail: {
      header,
      claims: payload as { [key: string]: TraceValue },
      lifetime: `${String(Math.floor((expiresAtMs - nowMs) / 1000))} s${sessionBound ? ', never past the session' : ''}`,
      checksEveryVerifierMakes: [
        `signature with kid ${kid} from the JWKS, algorithm pinned to ${alg}`,
        `iss is ${deps.issuer}`,
        `aud is ${input.audience}`,
        'exp not passed',
        'typ is at+jwt',
        sessionBound ? 'sid not in the revocation feed' : 'jti not in the revocation feed',
        ...(dpopJkt === null ? [] : ['a DPoP proof by the key in cnf.jkt']),
      ],
    },
    teach: 'jwt-access-token',
  });
  return { accessToken, jti, expiresAtMs, expiresInSeconds: Math.max(0, Math.floor((expiresAtMs - nowMs) / 1000)), scope: input.scope, tokenType: dpopJkt === null ? 'Bearer' : 'DPoP' };
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
  input: { user: User; session: Session; client: Client; scope: string; dpopJkt?: string | null; audience?: string } & ReservedAccessToken,
): Promise<IssuedAccessToken> {
  const claims: Record<string, unknown> = { sid: input.session.id };
  // RFC 9068 2.2.1: how the user authenticated, from the session (RFC 8176 values: `pwd`, `otp`,
  // `hwk`/`swk` for a passkey, `mfa`...) and when, so an API can ask for a passkey or for MFA.
  if (input.session.amr.length > 0) claims['amr'] = [...input.session.amr];
  claims['auth_time'] = Math.floor(input.session.authTimeMs / 1000);
  return signAccessToken(deps, {
    subject: input.user.id,
    client: input.client,
    audience: input.audience ?? input.client.audience,
    scope: input.scope,
    claims,
    notAfterMs: input.session.expiresAtMs,
    dpopJkt: input.dpopJkt ?? null,
    jti: input.jti,
    nowMs: input.nowMs,
  });
}
