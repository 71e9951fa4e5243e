import { sign, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from './signing-algorithms.ts';

export interface JwtHeader {
  alg: SigningAlgorithm;
  kid: string;
  typ: string;
}

// node:crypto's digest for each JWS algorithm (RFC 7518 3.1; Ed25519 takes none).
const digests: Record<SigningAlgorithm, string | null> = { EdDSA: null, ES256: 'sha256', RS256: 'sha256' };

/** P-256: r and s are 32 bytes each in a JWS signature. */
const es256IntegerBytes = 32;

/**
 * An ECDSA signature as node:crypto returns it by default (DER: SEQUENCE { INTEGER r, INTEGER s })
 * in the form JWS wants (RFC 7518 3.4): r || s, each left-padded to the curve size. DER integers
 * are minimal and signed, so one may be shorter (leading zero bytes dropped) or one byte longer
 * (a 0x00 before a high bit). The input is node:crypto's own output, never a peer's, so anything
 * else is a bug and throws.
 */
export function joseEcdsaSignature(der: Uint8Array, integerBytes: number): Buffer {
  const out = Buffer.alloc(2 * integerBytes);
  // A P-256 signature is at most 72 bytes, so every DER length here is one byte (short form).
  if (der[0] !== 0x30 || der[1] !== der.length - 2) throw new Error('ECDSA signature: not a DER SEQUENCE');
  let at = 2;
  for (let part = 0; part < 2; part++) {
    if (der[at] !== 0x02) throw new Error('ECDSA signature: not a DER INTEGER');
    let length = der[at + 1] as number;
    at += 2;
    // Skip the sign byte (and any leading zeros, which a minimal encoding has at most one of).
    while (length > integerBytes && der[at] === 0) {
      at++;
      length--;
    }
    if (length > integerBytes || at + length > der.length) throw new Error('ECDSA signature: integer too long');
    out.set(der.subarray(at, at + length), (part + 1) * integerBytes - length);
    at += length;
  }
  if (at !== der.length) throw new Error('ECDSA signature: trailing bytes');
  return out;
}

/**
 * A compact JWS (RFC 7515) over the JSON claims, signed synchronously with node:crypto. jose's
 * SignJWT signs through WebCrypto, an asynchronous job with its own copies and checks (about
 * 150 us for ES256 here, against 25 us for the signature itself); every refresh grant signs, so
 * here the token is assembled directly (base64url of the JSON header and claims, and of the
 * signature). Nothing is parsed: the input is our own header and claims. Tests verify the output
 * with jose's jwtVerify.
 *
 * The key goes to `sign()` as the bare KeyObject: with an options object (`{ key, dsaEncoding }`)
 * node:crypto first probes the object as a KeyObject and as a CryptoKey, and the failing probes
 * cost more than the ES256 signature itself (25 us became 55 us here). So ES256 signs in DER, the
 * default, and the signature is rewritten as r || s (joseEcdsaSignature).
 *
 * @example
 * const token = signJwt({ alg: 'ES256', kid, typ: 'at+jwt' }, { sub: 'user-1', exp: 1_900_000_000 }, privateKey);
 */
export function signJwt(header: JwtHeader, claims: Record<string, unknown>, privateKey: KeyObject): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signed = sign(digests[header.alg], Buffer.from(input), privateKey);
  const signature = header.alg === 'ES256' ? joseEcdsaSignature(signed, es256IntegerBytes) : signed;
  return `${input}.${signature.toString('base64url')}`;
}
