import type { AccessTokenClaims } from './access-token-claims.ts';

/**
 * @internal A bounded LRU of tokens already verified, keyed by SHA-256 of the token string (so raw
 * bearer tokens are not kept in memory, and a key costs 43 bytes whatever the token's size).
 *
 * A hit only skips the signature and claim checks that cannot change with time; expiry is
 * re-checked on every hit with the same rule and tolerance as jose, and revocation is checked by
 * the caller on every call, hit or miss. A Map keeps insertion order, so re-inserting on a hit
 * moves the entry to the young end and the first key is always the least recently used.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, AccessTokenClaims>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The claims cached under `key`, unless they are past `exp` (then the entry is dropped). */
  get(key: string, nowSeconds: number, clockToleranceSeconds: number): AccessTokenClaims | undefined {
    const claims = this.#entries.get(key);
    if (claims === undefined) return undefined;
    this.#entries.delete(key);
    if (claims.exp <= nowSeconds - clockToleranceSeconds) return undefined;
    this.#entries.set(key, claims);
    return claims;
  }

  set(key: string, claims: AccessTokenClaims): void {
    if (this.#maxEntries === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, claims);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}
