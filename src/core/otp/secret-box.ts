import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * TOTP secrets (and webhook signing secrets) must be read back, so they cannot be hashed: they are stored as a compact JWE
 * (`dir` + `A256GCM`, by jose) under a key derived from the server secret, like the signing
 * keys (core/tokens/key-encryption.ts). The user id (the endpoint id) is the JWE's `kid` and is checked on the
 * way out, so a ciphertext copied onto another account's row does not decrypt as its secret.
 */

/** Seals `plaintext` as a compact JWE bound to `kid` (checked on the way out) under the first key. */
export async function sealSecret(plaintext: string, kid: string, keys: readonly Uint8Array[]): Promise<string> {
  const key = keys[0];
  if (key === undefined) throw new Error('no encryption key: GATEHOUSE_SECRET is empty');
  return new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid }).encrypt(key);
}

/** Opens what `sealSecret` sealed for `kid`, with any of the keys (the secret may predate a rotation); null when none opens it. */
export async function openSecret(jwe: string, kid: string, keys: readonly Uint8Array[]): Promise<string | null> {
  for (const key of keys) {
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if (protectedHeader.kid !== kid) break;
      return new TextDecoder().decode(plaintext);
    } catch {
      // Try the next secret: it may have been sealed before a rotation.
    }
  }
  return null;
}

export function sealTotpSecret(secretBase32: string, userId: string, keys: readonly Uint8Array[]): Promise<string> {
  return sealSecret(secretBase32, userId, keys);
}

export async function openTotpSecret(jwe: string, userId: string, keys: readonly Uint8Array[]): Promise<string> {
  const secret = await openSecret(jwe, userId, keys);
  if (secret === null) throw new Error('a TOTP secret cannot be decrypted with any configured GATEHOUSE_SECRET');
  return secret;
}
