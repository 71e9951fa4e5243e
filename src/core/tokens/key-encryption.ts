import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, type JWK } from 'jose';

/**
 * Private signing keys are stored only as a compact JWE (`dir` + `A256GCM`, done by jose) under
 * a key derived from GATEHOUSE_SECRET with HKDF-SHA256. Secrets are an array for rotation: the
 * first encrypts, every one is tried to decrypt.
 */
export function deriveKeyEncryptionKeys(secrets: readonly string[]): Uint8Array[] {
  return secrets.map((secret) => new Uint8Array(hkdfSync('sha256', secret, 'gatehouse', 'signing-key-encryption v1', 32)));
}

export async function encryptPrivateJwk(jwk: JWK, kid: string, keys: readonly Uint8Array[]): Promise<string> {
  const key = keys[0];
  if (key === undefined) throw new Error('no key-encryption key: GATEHOUSE_SECRET is empty');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(key);
}

export async function decryptPrivateJwk(jwe: string, keys: readonly Uint8Array[]): Promise<JWK> {
  for (const key of keys) {
    try {
      const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
    } catch {
      // Try the next secret: the key may have been encrypted before a rotation.
    }
  }
  throw new Error('a signing key cannot be decrypted with any configured GATEHOUSE_SECRET');
}
