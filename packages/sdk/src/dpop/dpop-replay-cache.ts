/**
 * @internal The proofs a verifier has accepted, so the same DPoP proof is refused the second time
 * (RFC 9449 11.1). Keyed by SHA-256 of the key thumbprint and `jti`; an entry lives only as long
 * as its proof could still pass the `iat` window, and the map is bounded: past `maxEntries`, the
 * oldest entries (the ones closest to aging out of the window) go first. Size it above the number
 * of proofs a process accepts in about a minute and a quarter.
 *
 * Per process: several API instances each keep their own, so a proof replayed to another instance
 * within the window is caught only by the short window itself. Put the instances behind one
 * shared store if that matters more than the window.
 */
export class DpopReplayCache {
  readonly #expiresAtMs = new Map<string, number>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** Records `key` until `expiresAtMs`; `seen` when it is already recorded and not expired. */
  remember(key: string, expiresAtMs: number, nowMs: number): 'new' | 'seen' {
    const known = this.#expiresAtMs.get(key);
    if (known !== undefined && known > nowMs) return 'seen';
    this.#expiresAtMs.delete(key);
    this.#expiresAtMs.set(key, expiresAtMs);
    for (const [oldest, oldestExpiresAtMs] of this.#expiresAtMs) {
      if (this.#expiresAtMs.size <= this.#maxEntries && oldestExpiresAtMs > nowMs) break;
      this.#expiresAtMs.delete(oldest);
    }
    return 'new';
  }

  get size(): number {
    return this.#expiresAtMs.size;
  }

  clear(): void {
    this.#expiresAtMs.clear();
  }
}
