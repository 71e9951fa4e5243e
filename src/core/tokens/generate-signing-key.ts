import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { SigningKeyRecord } from '../ports.ts';
import { encryptPrivateJwk } from './key-encryption.ts';
import type { SigningAlgorithm } from './signing-algorithms.ts';

/**
 * A fresh key pair. Its `kid` is the RFC 7638 thumbprint of the public key. The private half
 * leaves this function only encrypted.
 */
export async function generateSigningKey(
  alg: SigningAlgorithm,
  encryptionKeys: readonly Uint8Array[],
  times: { nowMs: number; activatesAtMs: number },
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  return {
    kid,
    alg,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    privateJwe: await encryptPrivateJwk({ ...privateJwk, kid, alg }, kid, encryptionKeys),
    createdAtMs: times.nowMs,
    activatesAtMs: times.activatesAtMs,
    retiresAtMs: null,
    expiresAtMs: null,
  };
}
