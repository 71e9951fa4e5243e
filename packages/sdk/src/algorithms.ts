/**
 * The JWS algorithms the SDK can be told to accept: asymmetric signatures only.
 *
 * HS256/384/512 are left out on purpose: with a symmetric algorithm the verifier holds the signing
 * secret, and a verifier that resolves "a key" for an HS token can be fed the issuer's *public* key
 * as the HMAC secret (RFC 8725 2.1, the algorithm-confusion attack). `none` is left out for
 * RFC 8725 3.1. Neither can be configured, so neither can be accepted.
 *
 * @example
 * import { verifiableAlgorithms } from '@gatehouse/sdk';
 * verifiableAlgorithms.includes('HS256' as never); // false
 */
export const verifiableAlgorithms = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const);

/**
 * One of {@link verifiableAlgorithms}.
 *
 * @example
 * import type { VerifiableAlgorithm } from '@gatehouse/sdk';
 * const algorithms: VerifiableAlgorithm[] = ['ES256'];
 */
export type VerifiableAlgorithm = (typeof verifiableAlgorithms)[number];

/**
 * What a verifier accepts when not told otherwise: the algorithms Gatehouse may sign with.
 *
 * @example
 * import { defaultAlgorithms } from '@gatehouse/sdk';
 * defaultAlgorithms; // ['ES256', 'EdDSA', 'RS256']
 */
export const defaultAlgorithms: readonly VerifiableAlgorithm[] = Object.freeze(['ES256', 'EdDSA', 'RS256']);

const verifiable: ReadonlySet<string> = new Set(verifiableAlgorithms);

/** @internal Every problem with an `algorithms` option, so configuration errors are listed at once. */
export function algorithmProblems(value: unknown, option: string): string[] {
  if (!Array.isArray(value) || value.length === 0) return [`${option} must be a non-empty array of algorithm names`];
  const problems: string[] = [];
  for (const alg of value as unknown[]) {
    if (typeof alg !== 'string') problems.push(`${option} must contain strings only`);
    else if (/^hs\d+$/i.test(alg)) problems.push(`${option}: ${alg} is symmetric and never accepted (RFC 8725 2.1)`);
    else if (alg.toLowerCase() === 'none') problems.push(`${option}: "none" is never accepted (RFC 8725 3.1)`);
    else if (!verifiable.has(alg)) problems.push(`${option}: unsupported algorithm ${JSON.stringify(alg)} (one of ${verifiableAlgorithms.join(', ')})`);
  }
  return problems;
}
