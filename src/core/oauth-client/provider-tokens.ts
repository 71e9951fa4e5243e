import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import type { TokenEndpointResponse } from 'openid-client';

/**
 * The provider's tokens, kept only when configured, are stored as a compact JWE (`dir` +
 * `A256GCM`, by jose), the scheme of core/tokens/key-encryption.ts, under keys derived from
 * GATEHOUSE_SECRET with their own HKDF label, so a signing-key ciphertext and a provider-token
 * ciphertext can never be swapped for one another. They are never sent to the browser.
 */
export function deriveProviderTokenKeys(secrets: readonly string[]): Uint8Array[] {
  return secrets.map((secret) => new Uint8Array(hkdfSync('sha256', secret, 'gatehouse', 'oauth-provider-tokens v1', 32)));
}

export async function encryptProviderTokens(tokens: TokenEndpointResponse, nowMs: number, keys: readonly Uint8Array[]): Promise<string> {
  const key = keys[0];
  if (key === undefined) throw new Error('no provider-token key: GATEHOUSE_SECRET is empty');
  const kept = {
    access_token: tokens.access_token,
    token_type: tokens.token_type,
    ...(tokens.refresh_token === undefined ? {} : { refresh_token: tokens.refresh_token }),
    ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
    ...(tokens.expires_in === undefined ? {} : { expires_at_ms: nowMs + tokens.expires_in * 1000 }),
  };
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(kept))).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'provider-tokens' }).encrypt(key);
}

/** The kept tokens, for server-side calls to the provider's APIs (and for tests). */
export async function decryptProviderTokens(jwe: string, keys: readonly Uint8Array[]): Promise<Record<string, unknown>> {
  for (const key of keys) {
    try {
      const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      return JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
    } catch {
      // Try the next secret: the tokens may predate a rotation.
    }
  }
  throw new Error('provider tokens cannot be decrypted with any configured GATEHOUSE_SECRET');
}
