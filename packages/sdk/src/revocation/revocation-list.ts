import type { AccessTokenClaims } from '../access-token-claims.ts';

/**
 * What to revoke: every token of a session (`sid`), one token (`jti`), or both; kept until
 * `expiresAtMs`, which should be no earlier than the `exp` of the last token it must refuse
 * (for a session: its last access token's expiry, at most the access-token lifetime from now).
 *
 * @example
 * verifier.revoke({ sid: 'ses_123', expiresAtMs: Date.now() + 15 * 60_000 });
 */
export interface RevocationEntry {
  sid?: string;
  jti?: string;
  expiresAtMs: number;
}

/** A sweep of expired entries runs when the lists have grown this much since the last one. */
const minimumSweepSize = 1024;

/**
 * @internal Revoked session ids and token ids, each with the time until which it is refused.
 * Keyed on the claims, never on the token bytes: a token re-encoded (a non-canonical base64url
 * signature, ECDSA's (r, n - s) twin) or re-issued with the same `sid` is still refused (docs/security.md SEC-28).
 * Entries are never evicted early, only once expired: an early eviction would un-revoke.
 */
export class RevocationList {
  readonly #sids = new Map<string, number>();
  readonly #jtis = new Map<string, number>();
  #sweepAtSize = minimumSweepSize;

  add(entry: RevocationEntry, nowMs: number): void {
    if (entry.expiresAtMs <= nowMs) return;
    if (entry.sid !== undefined) extend(this.#sids, entry.sid, entry.expiresAtMs);
    if (entry.jti !== undefined) extend(this.#jtis, entry.jti, entry.expiresAtMs);
    if (this.#sids.size + this.#jtis.size >= this.#sweepAtSize) this.#sweep(nowMs);
  }

  isRevoked(claims: AccessTokenClaims, nowMs: number): boolean {
    return (claims.sid !== undefined && isListed(this.#sids, claims.sid, nowMs)) || isListed(this.#jtis, claims.jti, nowMs);
  }

  get size(): number {
    return this.#sids.size + this.#jtis.size;
  }

  clear(): void {
    this.#sids.clear();
    this.#jtis.clear();
  }

  #sweep(nowMs: number): void {
    for (const list of [this.#sids, this.#jtis]) {
      for (const [id, expiresAtMs] of list) if (expiresAtMs <= nowMs) list.delete(id);
    }
    this.#sweepAtSize = Math.max(minimumSweepSize, 2 * this.size);
  }
}

function extend(list: Map<string, number>, id: string, expiresAtMs: number): void {
  const current = list.get(id);
  if (current === undefined || current < expiresAtMs) list.set(id, expiresAtMs);
}

function isListed(list: Map<string, number>, id: string, nowMs: number): boolean {
  const expiresAtMs = list.get(id);
  if (expiresAtMs === undefined) return false;
  if (expiresAtMs > nowMs) return true;
  list.delete(id);
  return false;
}
