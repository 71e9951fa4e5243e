import type { JWTPayload } from 'jose';
import { GatehouseTokenError } from './errors.ts';

/**
 * The claims of a verified Gatehouse access token (RFC 9068 2.2), typed and frozen.
 * Returned objects are shared between calls (the verifier caches them), hence read-only.
 *
 * @example
 * import type { AccessTokenClaims } from '@gatehouse/sdk';
 * function canRead(claims: AccessTokenClaims): boolean {
 *   return claims.scope.split(' ').includes('notes:read');
 * }
 * function usedSecondFactor(claims: AccessTokenClaims): boolean {
 *   return claims.amr?.includes('mfa') ?? false;
 * }
 */
export interface AccessTokenClaims {
  readonly iss: string;
  /** The user. */
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  readonly jti: string;
  /** The OAuth client the token was issued to. */
  readonly client_id: string;
  /** Space-separated scopes; '' when the token carries none. */
  readonly scope: string;
  /**
   * The Gatehouse session the token was issued under: revoking the session revokes its tokens.
   * Absent only from a client credentials token (a service acting for itself: `sub` is then its
   * `client_id`), which no user session stands behind; revoke such a token by `jti`.
   */
  readonly sid?: string;
  /**
   * When the user last authenticated in this session (login or re-authentication), seconds since
   * the epoch. Absent from tokens of servers that predate it.
   */
  readonly auth_time?: number;
  /**
   * How the user authenticated (RFC 8176), sorted: `pwd`, `otp`, `fed` (a social login), and `mfa`
   * when two different kinds of factor were used. Absent when unknown.
   */
  readonly amr?: readonly string[];
  /** The whole verified payload, for claims this type does not name. */
  readonly payload: Readonly<JWTPayload>;
}

function nonEmptyString(payload: JWTPayload, claim: string): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value.length === 0) throw new GatehouseTokenError('token_malformed', { claim });
  return value;
}

/** `sid` is required of every token a user session stands behind (all but a client's own). */
function requiredSid(payload: JWTPayload): string {
  if (payload['sid'] === undefined) throw new GatehouseTokenError('token_missing_claim', { claim: 'sid' });
  return nonEmptyString(payload, 'sid');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

/**
 * @internal Types the claims jose has already checked for presence, signature, iss, aud and time.
 * `sid` and `jti` must be strings because revocation is looked up by them: a numeric `sid: 7` must
 * not slip past a revocation of "7".
 */
export function toAccessTokenClaims(payload: JWTPayload): AccessTokenClaims {
  const aud = payload.aud;
  if (!(typeof aud === 'string' || (Array.isArray(aud) && aud.every((member) => typeof member === 'string')))) {
    throw new GatehouseTokenError('token_malformed', { claim: 'aud' });
  }
  const scope = payload['scope'] ?? '';
  if (typeof scope !== 'string') throw new GatehouseTokenError('token_malformed', { claim: 'scope' });
  if (typeof payload.iat !== 'number') throw new GatehouseTokenError('token_malformed', { claim: 'iat' });
  if (typeof payload.exp !== 'number') throw new GatehouseTokenError('token_malformed', { claim: 'exp' });
  const authTime = payload['auth_time'];
  if (authTime !== undefined && typeof authTime !== 'number') throw new GatehouseTokenError('token_malformed', { claim: 'auth_time' });
  const amr = payload['amr'];
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((value) => typeof value === 'string'))) throw new GatehouseTokenError('token_malformed', { claim: 'amr' });
  return deepFreeze({
    iss: nonEmptyString(payload, 'iss'),
    sub: nonEmptyString(payload, 'sub'),
    aud,
    exp: payload.exp,
    iat: payload.iat,
    jti: nonEmptyString(payload, 'jti'),
    client_id: nonEmptyString(payload, 'client_id'),
    scope,
    ...(payload['sid'] === undefined && payload.sub === payload['client_id'] ? {} : { sid: requiredSid(payload) }),
    ...(authTime === undefined ? {} : { auth_time: authTime }),
    ...(amr === undefined ? {} : { amr: amr as string[] }),
    payload,
  });
}
