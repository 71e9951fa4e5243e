import { createLocalJWKSet, errors, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Clock } from '../ports.ts';
import { signingAlgorithms } from '../tokens/signing-algorithms.ts';

/** What an `id_token_hint` tells the end-session endpoint, once verified. */
export interface IdTokenHint {
  sub: string;
  /** The audiences: the client ids the ID token was issued to. */
  aud: string[];
  /** The Gatehouse session it was issued under, when it says. */
  sid: string | null;
}

export interface IdTokenHintDeps {
  clock: Clock;
  issuer: string;
  /** The published keys (the JWKS document): a hint must be signed by one of them. */
  publicJwks(): Promise<{ keys: JWK[] }>;
}

function hintOf(payload: JWTPayload): IdTokenHint | null {
  if (typeof payload.sub !== 'string' || payload.sub === '') return null;
  const aud = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
  if (aud.length === 0) return null;
  return { sub: payload.sub, aud, sid: typeof payload['sid'] === 'string' ? payload['sid'] : null };
}

/**
 * Verifies an `id_token_hint` (RP-Initiated Logout 1.0 §2) against Gatehouse's own published
 * keys: the signature with an allowed asymmetric algorithm (never `none`, never HMAC), the
 * issuer, and `typ: JWT` (an ID token, not an access or logout token, SEC-215). An expired hint is accepted, as the spec allows for logout (an app logs out long after
 * its ID token expired), but only after its signature and issuer checked out: jose verifies the
 * signature before any claim. Anything else is null (docs/security.md SEC-221).
 *
 * @example
 * const hint = await verifyIdTokenHint(deps, request.query.id_token_hint);
 */
export async function verifyIdTokenHint(deps: IdTokenHintDeps, token: string): Promise<IdTokenHint | null> {
  if (token.length > 8192 || token.split('.').length !== 3) return null;
  // `typ: JWT`, what every Gatehouse ID token carries: an access token (`at+jwt`) or a logout
  // token (`logout+jwt`) is signed by the same keys for the same issuer and names a sub and sid
  // too, but it is no ID token (docs/security.md SEC-215). jose checks typ before exp.
  const options = { algorithms: [...signingAlgorithms], issuer: deps.issuer, typ: 'JWT', currentDate: new Date(deps.clock.nowMs()) };
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(await deps.publicJwks()), options);
    return hintOf(payload);
  } catch (error) {
    // Expiry is checked after the signature and the issuer (JWTExpired carries the verified
    // payload); `nbf` in the future or a wrong issuer is a JWTClaimValidationFailed, refused.
    if (error instanceof errors.JWTExpired && error.payload.iss === deps.issuer) return hintOf(error.payload);
    return null;
  }
}
