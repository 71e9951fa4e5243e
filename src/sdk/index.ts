/**
 * `gatehouse/sdk`: verify Gatehouse access tokens in a resource server. Depends only on jose and
 * Node built-ins.
 *
 * @example
 * import { createVerifier } from 'gatehouse/sdk';
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const claims = await verifier.verify(token);
 */
export { createVerifier, type Verifier } from './create-verifier.ts';
export type { VerifierOptions } from './verifier-options.ts';
export type { RevocationEntry } from './revocation-list.ts';
export type { AccessTokenClaims } from './access-token-claims.ts';
export { verifyJws, type VerifyJwsOptions, type VerifiedJws } from './verify-jws.ts';
export { GatehouseTokenError, tokenErrorCatalog, type GatehouseTokenErrorOptions, type TokenErrorCode } from './errors.ts';
export { defaultAlgorithms, verifiableAlgorithms, type VerifiableAlgorithm } from './algorithms.ts';
