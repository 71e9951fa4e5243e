import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errors } from 'jose';
import { GatehouseTokenError, tokenErrorCatalog, type TokenErrorCode } from '../../packages/sdk/src/index.ts';
import { keyResolutionError, toTokenError, type VerificationStage } from '../../packages/sdk/src/to-token-error.ts';

describe('GatehouseTokenError', () => {
  it('carries a stable code, the status, the RFC 6750 error, the claim and the cause', () => {
    const cause = new errors.JWTExpired('"exp" claim timestamp check failed', {}, 'exp', 'check_failed');
    const error = new GatehouseTokenError('token_expired', { cause, claim: 'exp' });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'GatehouseTokenError');
    assert.equal(error.code, 'token_expired');
    assert.equal(error.status, 401);
    assert.equal(error.bearerError, 'invalid_token');
    assert.equal(error.claim, 'exp');
    assert.equal(error.cause, cause);
    assert.equal(error.message, tokenErrorCatalog.token_expired.title);
  });

  it('every code has a title, a status and a bearer error consistent with RFC 6750 3.1', () => {
    for (const [code, entry] of Object.entries(tokenErrorCatalog)) {
      assert.match(code, /^(token|verifier|dpop)_[a-z_]+$/);
      assert.ok(entry.title.length > 0);
      // RFC 9449 7.1: a bad proof is invalid_dpop_proof; a bound token without one, or an unbound one sent as DPoP, invalid_token.
      if (['dpop_proof_invalid', 'dpop_key_mismatch', 'dpop_proof_replayed'].includes(code)) assert.deepEqual([entry.status, entry.bearerError], [401, 'invalid_dpop_proof'], code);
      else if (code === 'token_missing') assert.deepEqual([entry.status, entry.bearerError], [401, undefined]);
      else if (code === 'verifier_unavailable') assert.deepEqual([entry.status, entry.bearerError], [503, undefined]);
      else assert.deepEqual([entry.status, entry.bearerError], [401, 'invalid_token'], code);
    }
  });
});

describe('jose errors map to stable codes', () => {
  const claimFailure = (claim: string, reason = 'check_failed') => new errors.JWTClaimValidationFailed('x', {}, claim, reason);
  const cases: [string, unknown, TokenErrorCode, VerificationStage?][] = [
    ['JWTExpired', new errors.JWTExpired('x', {}, 'exp', 'check_failed'), 'token_expired'],
    ['claim iss', claimFailure('iss'), 'token_wrong_issuer'],
    ['claim iss missing', claimFailure('iss', 'missing'), 'token_wrong_issuer'],
    ['claim aud', claimFailure('aud'), 'token_wrong_audience'],
    ['claim aud missing', claimFailure('aud', 'missing'), 'token_wrong_audience'],
    ['claim typ', claimFailure('typ'), 'token_wrong_type'],
    ['claim nbf', claimFailure('nbf'), 'token_not_yet_valid'],
    ['claim nbf of the wrong type', claimFailure('nbf', 'invalid'), 'token_malformed'],
    ['claim exp missing', claimFailure('exp', 'missing'), 'token_missing_claim'],
    ['claim sid missing', claimFailure('sid', 'missing'), 'token_missing_claim'],
    ['claim iat in the future', claimFailure('iat'), 'token_malformed'],
    ['JWSSignatureVerificationFailed', new errors.JWSSignatureVerificationFailed(), 'token_invalid_signature'],
    ['JOSEAlgNotAllowed', new errors.JOSEAlgNotAllowed('x'), 'token_algorithm_not_allowed'],
    ['JWKSNoMatchingKey', new errors.JWKSNoMatchingKey(), 'token_unknown_key'],
    ['JWKSMultipleMatchingKeys', new errors.JWKSMultipleMatchingKeys(), 'token_unknown_key'],
    ['JWSInvalid', new errors.JWSInvalid('x'), 'token_malformed'],
    ['JWTInvalid', new errors.JWTInvalid('x'), 'token_malformed'],
    ['JOSENotSupported before a key is resolved (crit)', new errors.JOSENotSupported('x'), 'token_malformed', 'before-key-resolution'],
    ['JOSENotSupported once a key is resolved', new errors.JOSENotSupported('x'), 'token_unknown_key', 'after-key-resolution'],
    ['JWKSTimeout', new errors.JWKSTimeout(), 'verifier_unavailable', 'after-key-resolution'],
    ['JWKSInvalid', new errors.JWKSInvalid('x'), 'verifier_unavailable', 'after-key-resolution'],
    ['a generic JOSEError (JWKS HTTP status)', new errors.JOSEError('x'), 'verifier_unavailable', 'after-key-resolution'],
    ['a TypeError (fetch failed)', new TypeError('fetch failed'), 'verifier_unavailable', 'after-key-resolution'],
  ];
  for (const [label, error, code, stage = 'before-key-resolution'] of cases) {
    it(`${label} -> ${code}`, () => {
      const mapped = toTokenError(error, stage);
      assert.equal(mapped.code, code);
      assert.equal(mapped.cause, error);
    });
  }

  it('a GatehouseTokenError passes through unchanged', () => {
    const original = new GatehouseTokenError('token_revoked');
    assert.equal(toTokenError(original, 'after-key-resolution'), original);
    assert.equal(keyResolutionError(original), original);
  });

  it('key resolution: no key for the token is the token\u2019s fault, anything else is ours', () => {
    assert.equal(keyResolutionError(new errors.JWKSNoMatchingKey()).code, 'token_unknown_key');
    assert.equal(keyResolutionError(new errors.JWKSTimeout()).code, 'verifier_unavailable');
    assert.equal(keyResolutionError(new TypeError('fetch failed')).code, 'verifier_unavailable');
  });
});
