import { sign, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from './signing-algorithms.ts';

export interface JwtHeader {
  alg: SigningAlgorithm;
  kid: string;
  typ: string;
}

// node:crypto's digest for each JWS algorithm (RFC 7518 3.1; Ed25519 takes none), and the
// signature encoding JWS wants: ECDSA as the raw r || s pair (RFC 7518 3.4), not DER.
const digests: Record<SigningAlgorithm, string | null> = { EdDSA: null, ES256: 'sha256', RS256: 'sha256' };

/**
 * A compact JWS (RFC 7515) over the JSON claims, signed synchronously with node:crypto. jose's
 * SignJWT signs through WebCrypto, an asynchronous job with its own copies and checks that costs
 * more than the signature itself; every refresh grant signs, so here the token is assembled
 * directly (base64url of the JSON header and claims, and of the signature). Nothing is parsed:
 * the input is our own header and claims. Tests verify the output with jose's jwtVerify.
 *
 * @example
 * const token = signJwt({ alg: 'ES256', kid, typ: 'at+jwt' }, { sub: 'user-1', exp: 1_900_000_000 }, privateKey);
 */
export function signJwt(header: JwtHeader, claims: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature =
    header.alg === 'ES256'
      ? sign(digests.ES256, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(digests[header.alg], Buffer.from(input), privateKey);
  return `${input}.${signature.toString('base64url')}`;
}
