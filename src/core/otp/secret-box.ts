import { CompactEncrypt, compactDecrypt } from 'jose';

/**
 * TOTP secrets must be read back, so they cannot be hashed: they are stored as a compact JWE
 * (`dir` + `A256GCM`, by jose) under a key derived from the server secret, like the signing
 * keys (core/tokens/key-encryption.ts). The user id is the JWE's `kid` and is checked on the
 * way out, so a ciphertext copied onto another account's row does not decrypt as its secret.
 */
export async function sealTotpSecret(secretBase32: string, userId: string, keys: readonly Uint8Array[]): Promise<string> {
  const key = keys[0];
  if (key === undefined) throw new Error('no TOTP encryption key: GATEHOUSE_SECRET is empty');
  return new CompactEncrypt(new TextEncoder().encode(secretBase32)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: userId }).encrypt(key);
}

export async function openTotpSecret(jwe: string, userId: string, keys: readonly Uint8Array[]): Promise<string> {
  for (const key of keys) {
    try {
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      if (protectedHeader.kid !== userId) break;
      return new TextDecoder().decode(plaintext);
    } catch {
      // Try the next secret: it may have been sealed before a rotation.
    }
  }
  throw new Error('a TOTP secret cannot be decrypted with any configured GATEHOUSE_SECRET');
}
