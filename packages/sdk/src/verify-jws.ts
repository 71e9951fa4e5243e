import { compactVerify, type CompactJWSHeaderParameters, type CryptoKey, type JWK, type KeyObject } from 'jose';
import { algorithmProblems, type VerifiableAlgorithm } from './algorithms.ts';
import { toTokenError, type VerificationStage } from './to-token-error.ts';

/**
 * Options of {@link verifyJws}.
 *
 * @example
 * const options: VerifyJwsOptions = { algorithms: ['RS256'] };
 */
export interface VerifyJwsOptions {
  /** The only algorithms accepted; required, asymmetric only (no HS*, no none). */
  algorithms: readonly VerifiableAlgorithm[];
}

/**
 * A verified JWS: its protected header and payload bytes.
 *
 * @example
 * const { payload } = await verifyJws(compact, key, { algorithms: ['ES256'] });
 * new TextDecoder().decode(payload);
 */
export interface VerifiedJws {
  readonly protectedHeader: CompactJWSHeaderParameters;
  readonly payload: Uint8Array;
}

/**
 * Verifies a JWS in compact serialization against one known public key, with an explicit
 * algorithm allowlist. For signed content that is not an access token (webhooks, signed
 * documents): it checks the signature only, no claims, no `typ`. Access tokens go through
 * {@link createVerifier}. Refusals throw {@link GatehouseTokenError} (`token_malformed`,
 * `token_algorithm_not_allowed`, `token_invalid_signature`...); an unknown `crit` is refused.
 *
 * @example
 * import { verifyJws } from '@gatehouse/sdk';
 *
 * const jwk = { kty: 'RSA', n: '...', e: 'AQAB' };
 * const { payload, protectedHeader } = await verifyJws(compact, jwk, { algorithms: ['RS256'] });
 * console.log(protectedHeader.kid, new TextDecoder().decode(payload));
 */
export async function verifyJws(compact: string, key: CryptoKey | KeyObject | JWK, options: VerifyJwsOptions): Promise<VerifiedJws> {
  const problems = algorithmProblems(options?.algorithms, 'algorithms');
  if (problems.length > 0) throw new TypeError(`verifyJws: ${problems.join('; ')}`);
  if (typeof key !== 'object' || key === null) throw new TypeError('verifyJws: key must be a public CryptoKey, KeyObject or JWK');
  let stage: VerificationStage = 'before-key-resolution';
  try {
    const { payload, protectedHeader } = await compactVerify(compact, () => ((stage = 'after-key-resolution'), key), {
      algorithms: [...options.algorithms],
    });
    return { payload, protectedHeader };
  } catch (error) {
    throw toTokenError(error, stage);
  }
}
