import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { Clock, SigningKeyRecord, SigningKeyStore } from '../ports.ts';
import { generateSigningKey } from './generate-signing-key.ts';
import { decryptPrivateJwk } from './key-encryption.ts';
import { signingAlgorithms, type SigningAlgorithm } from './signing-algorithms.ts';

export interface KeyRingOptions {
  store: SigningKeyStore;
  clock: Clock;
  encryptionKeys: readonly Uint8Array[];
  algorithm: SigningAlgorithm;
  /** The longest an access token lives: a retired key stays published this long (plus skew). */
  accessTokenTtlMs: number;
  /** A rotated-in key is published this long before it signs: at least the JWKS cache lifetime. */
  publishAheadMs: number;
  /** Other instances may rotate: re-read the keys at least this often. */
  reloadIntervalMs?: number;
  /**
   * `id_token`: the ring of the ID tokens of one algorithm (`algorithm`), beside the access
   * token ring. Its keys live in the same store, marked, and each ring sees only its own, so
   * rotating or switching the access token algorithm never touches the ID token keys. Every
   * ring's keys are published in the one JWKS.
   */
  purpose?: 'id_token';
}

export interface ActiveSigningKey {
  kid: string;
  alg: SigningAlgorithm;
  /** A node:crypto key: it signs synchronously (sign-jwt.ts), and jose accepts it too. */
  privateKey: KeyObject;
}

/** Verifiers allow a few seconds of clock skew; keep retired keys a minute longer than strictly needed. */
const skewMarginMs = 60_000;

/** The key that signs now: the newest one already active and not yet retired. */
export function currentKey(keys: readonly SigningKeyRecord[], nowMs: number): SigningKeyRecord | null {
  let current: SigningKeyRecord | null = null;
  for (const key of keys) {
    if (key.activatesAtMs > nowMs || (key.retiresAtMs !== null && key.retiresAtMs <= nowMs)) continue;
    if (current === null || key.activatesAtMs >= current.activatesAtMs) current = key;
  }
  return current;
}

/**
 * The signing keys: which one signs, which ones are published, and rotation. A new key is
 * published in the JWKS `publishAheadMs` before it signs anything; the old key keeps signing
 * until then, and stays published until its last token has expired.
 *
 * @example
 * const ring = createKeyRing({ store: store.signingKeys, clock, encryptionKeys, algorithm: 'ES256', accessTokenTtlMs: 300_000, publishAheadMs: 300_000 });
 * await ring.ensureKey();
 * const { kid, privateKey } = await ring.activeKey();
 */
export function createKeyRing(options: KeyRingOptions) {
  const reloadIntervalMs = options.reloadIntervalMs ?? 60_000;
  let loaded: { atMs: number; all: SigningKeyRecord[]; keys: SigningKeyRecord[] } | null = null;
  const privateKeys = new Map<string, Promise<KeyObject>>();

  const inThisRing = (key: SigningKeyRecord): boolean =>
    options.purpose === 'id_token' ? key.purpose === 'id_token' && key.alg === options.algorithm : key.purpose === undefined;
  const generate = (times: { nowMs: number; activatesAtMs: number }): Promise<SigningKeyRecord> =>
    generateSigningKey(options.algorithm, options.encryptionKeys, times).then((key) => (options.purpose === undefined ? key : { ...key, purpose: options.purpose }));
  const keys = async (): Promise<SigningKeyRecord[]> => {
    const nowMs = options.clock.nowMs();
    if (loaded === null || nowMs - loaded.atMs >= reloadIntervalMs) {
      const all = await options.store.list();
      loaded = { atMs: nowMs, all, keys: all.filter(inThisRing) };
    }
    return loaded.keys;
  };
  /** Every ring's keys: the JWKS is one document, whichever ring publishes it. */
  const allKeys = async (): Promise<SigningKeyRecord[]> => {
    await keys();
    return loaded?.all ?? [];
  };
  const forget = (): void => {
    loaded = null;
  };
  const importPrivate = (record: SigningKeyRecord): Promise<KeyObject> => {
    let key = privateKeys.get(record.kid);
    if (key === undefined) {
      key = decryptPrivateJwk(record.privateJwe, options.encryptionKeys).then((jwk) => createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }));
      privateKeys.set(record.kid, key);
    }
    return key;
  };

  return {
    /** Reads the keys afresh at the next use: another ring in this process has just added one. */
    reload(): void {
      forget();
    },

    /** Creates a first key, active at once, when none can sign (a new install). */
    async ensureKey(): Promise<void> {
      forget();
      const nowMs = options.clock.nowMs();
      if (currentKey(await keys(), nowMs) !== null) return;
      // Instances starting together on a new database: only one first key is stored, and every
      // instance re-reads the keys, so all of them sign with it and publish the same JWKS.
      await options.store.insertFirst(await generate({ nowMs, activatesAtMs: nowMs }), nowMs);
      forget();
    },

    async activeKey(): Promise<ActiveSigningKey> {
      let record = currentKey(await keys(), options.clock.nowMs());
      if (record === null) {
        forget();
        record = currentKey(await keys(), options.clock.nowMs());
      }
      if (record === null) throw new Error('no signing key is active: run `gatehouse keys rotate` or restart to create one');
      const alg = signingAlgorithms.find((known) => known === record.alg);
      if (alg === undefined) throw new Error(`signing key ${record.kid} has an unknown algorithm: ${record.alg}`);
      return { kid: record.kid, alg, privateKey: await importPrivate(record) };
    },

    /**
     * The JWKS document: public members only, every key that signs, will sign, or signed tokens
     * still alive, of every ring (access tokens and each ID token algorithm).
     */
    async publicJwks(): Promise<{ keys: JWK[] }> {
      const nowMs = options.clock.nowMs();
      const published = (await allKeys()).filter((k) => k.expiresAtMs === null || k.expiresAtMs > nowMs);
      return { keys: published.map((k) => JSON.parse(k.publicJwk) as JWK) };
    },

    /**
     * Adds a key that starts signing after `publishAheadMs`, and retires the current one at that
     * moment; the retired key leaves the JWKS once its last token can no longer be valid.
     */
    async rotate(): Promise<{ kid: string; activatesAtMs: number; retiredKid: string | null }> {
      forget();
      const nowMs = options.clock.nowMs();
      const all = await keys();
      const previous = currentKey(all, nowMs);
      // With no key signing yet there is nothing to hand over from: the new key signs at once.
      const activatesAtMs = previous === null ? nowMs : nowMs + options.publishAheadMs;
      const next = await generate({ nowMs, activatesAtMs });
      await options.store.insert(next);
      // Keys scheduled by an earlier rotation that has not taken effect yet retire with it.
      for (const key of all) {
        if (key.retiresAtMs === null && (key === previous || key.activatesAtMs > nowMs)) {
          const retiresAtMs = Math.max(key.activatesAtMs, activatesAtMs);
          await options.store.retire(key.kid, retiresAtMs, retiresAtMs + options.accessTokenTtlMs + skewMarginMs);
        }
      }
      forget();
      return { kid: next.kid, activatesAtMs, retiredKid: previous?.kid ?? null };
    },

    /**
     * Changing the configured algorithm: when the key that will sign last (the newest one not
     * retired) uses another algorithm, schedules a rotation to a key of the configured one,
     * published ahead like `gatehouse keys rotate`. Tokens signed with the old key stay valid
     * until they expire, and verifiers that cached the JWKS already know the new key when it
     * starts signing. Returns null when nothing had to change (the configured algorithm is
     * already the one that signs, or is already scheduled to).
     */
    async rotateToConfiguredAlgorithm(): Promise<{ kid: string; activatesAtMs: number; retiredKid: string | null; fromAlg: string; toAlg: SigningAlgorithm } | null> {
      forget();
      let last: SigningKeyRecord | null = null;
      for (const key of await keys()) {
        if (key.retiresAtMs !== null) continue;
        if (last === null || key.activatesAtMs >= last.activatesAtMs) last = key;
      }
      if (last === null || last.alg === options.algorithm) return null;
      return { ...(await this.rotate()), fromAlg: last.alg, toAlg: options.algorithm };
    },

    /**
     * The automatic schedule: rotates when the newest key (scheduled ones included) is
     * `rotationIntervalMs` old, so a key that is already waiting to take over is never rotated
     * away. Re-reads the keys first, so instances sharing a database see each other's rotations;
     * two instances deciding in the same instant would both rotate, which is harmless (both keys
     * are published ahead, the newer signs) and merely early.
     */
    async rotateIfDue(rotationIntervalMs: number): Promise<{ kid: string; activatesAtMs: number; retiredKid: string | null } | null> {
      forget();
      const all = await keys();
      if (all.length === 0) return null;
      const newestCreatedAtMs = Math.max(...all.map((k) => k.createdAtMs));
      if (options.clock.nowMs() - newestCreatedAtMs < rotationIntervalMs) return null;
      return this.rotate();
    },

    /** Housekeeping: drops keys whose last token has expired. */
    async deleteExpired(): Promise<number> {
      const removed = await options.store.deleteExpired(options.clock.nowMs());
      if (removed > 0) forget();
      return removed;
    },

    /** The algorithms of this ring's published keys (the access token algorithms the metadata advertises). */
    async ownAlgorithms(): Promise<string[]> {
      const nowMs = options.clock.nowMs();
      return [...new Set((await keys()).filter((k) => k.expiresAtMs === null || k.expiresAtMs > nowMs).map((k) => k.alg))];
    },

    /** Every ring's keys (access and ID token), for `gatehouse keys list`. */
    async listAll(): Promise<SigningKeyRecord[]> {
      forget();
      return allKeys();
    },

    /** This ring's keys with their state. */
    async list(): Promise<SigningKeyRecord[]> {
      forget();
      return keys();
    },
  };
}

export type KeyRing = ReturnType<typeof createKeyRing>;
