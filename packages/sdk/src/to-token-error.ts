import { errors } from 'jose';
import { GatehouseTokenError } from './errors.ts';

/**
 * @internal Wraps a key resolver (a JWKS) so that its failures say what they mean: no key for
 * this token is the token's fault (401); a JWKS that cannot be fetched or parsed is ours (503).
 * jose lets errors thrown by the resolver through unchanged, so they arrive here already mapped.
 */
export function keyResolutionError(error: unknown): GatehouseTokenError {
  if (error instanceof GatehouseTokenError) return error;
  // Multiple matches only happen for a token without `kid` when several keys fit; Gatehouse always
  // sets `kid`, so such a token names no key of ours. JOSENotSupported here means the JWKS has no
  // key type for the (allowed) algorithm.
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) {
    return new GatehouseTokenError('token_unknown_key', { cause: error });
  }
  return new GatehouseTokenError('verifier_unavailable', { cause: error });
}

const claimCodes = {
  iss: 'token_wrong_issuer',
  aud: 'token_wrong_audience',
  typ: 'token_wrong_type',
  nbf: 'token_not_yet_valid',
} as const;

/** @internal How far verification got when it failed: whether a key had been asked for yet. */
export type VerificationStage = 'before-key-resolution' | 'after-key-resolution';

/**
 * @internal Maps whatever jose threw while verifying to a {@link GatehouseTokenError}.
 * `stage` tells apart the two sources of JOSENotSupported: before any key is resolved it can only
 * be an unknown `crit` extension (the token's fault); after, the resolved key cannot serve the
 * token's algorithm.
 */
export function toTokenError(error: unknown, stage: VerificationStage): GatehouseTokenError {
  if (error instanceof GatehouseTokenError) return error;
  if (error instanceof errors.JWTExpired) return new GatehouseTokenError('token_expired', { cause: error, claim: error.claim });
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    // reason 'invalid' is a claim of the wrong JSON type (`"nbf": "soon"`): malformed, whatever the claim.
    const code =
      reason === 'invalid'
        ? 'token_malformed'
        : Object.hasOwn(claimCodes, claim)
          ? claimCodes[claim as keyof typeof claimCodes]
          : reason === 'missing'
            ? 'token_missing_claim'
            : 'token_malformed';
    return new GatehouseTokenError(code, { cause: error, claim });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new GatehouseTokenError('token_algorithm_not_allowed', { cause: error });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new GatehouseTokenError('token_invalid_signature', { cause: error });
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return keyResolutionError(error);
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return new GatehouseTokenError('token_malformed', { cause: error });
  if (error instanceof errors.JOSENotSupported) {
    return new GatehouseTokenError(stage === 'after-key-resolution' ? 'token_unknown_key' : 'token_malformed', { cause: error });
  }
  // Anything else (a JWKS fetch that failed, a key of the JWKS jose refuses to use, a bug) is not
  // the token's fault; fail closed, and say it is on our side.
  return new GatehouseTokenError('verifier_unavailable', { cause: error });
}
