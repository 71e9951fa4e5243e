import type { IdTokenSigningAlgorithm } from '../ports.ts';
import { idTokenSigningAlgorithms } from '../clients/client-oidc-policy.ts';
import { createKeyRing, type ActiveSigningKey, type KeyRing, type KeyRingOptions } from './key-ring.ts';

/**
 * The ID token keys: one key ring per algorithm (RS256, OIDC's mandatory default; ES256 and
 * EdDSA for clients registered with them), beside the access token ring and in the same store
 * and JWKS. A ring gets its first key the first time an ID token of its algorithm is signed, so
 * an install that is no OpenID Provider publishes no extra key. `gatehouse keys rotate` and the
 * rotation schedule rotate every ring that has keys, each published ahead like the access keys.
 * `published` is the ring whose `publicJwks()` serves the JWKS: it is told when a first key appears.
 */
export function createIdTokenKeys(options: Omit<KeyRingOptions, 'algorithm' | 'purpose'>, published?: Pick<KeyRing, 'reload'>) {
  const rings = new Map<IdTokenSigningAlgorithm, KeyRing>(idTokenSigningAlgorithms.map((alg) => [alg, createKeyRing({ ...options, algorithm: alg, purpose: 'id_token' })]));
  const ring = (alg: IdTokenSigningAlgorithm): KeyRing => rings.get(alg) as KeyRing;
  const used = async (): Promise<KeyRing[]> => {
    const all = [...rings.values()];
    const counts = await Promise.all(all.map(async (r) => (await r.list()).length));
    return all.filter((_, i) => (counts[i] ?? 0) > 0);
  };
  return {
    /** The key that signs ID tokens of `alg` now; makes the ring's first key when it has none. */
    async activeKey(alg: IdTokenSigningAlgorithm): Promise<ActiveSigningKey> {
      try {
        return await ring(alg).activeKey();
      } catch {
        await ring(alg).ensureKey();
        // The ring that serves the JWKS caches the key list: without this, the new key signs at
        // once but the JWKS (and id_token_hint checks, core/logout/) would miss it for a minute.
        published?.reload();
        return ring(alg).activeKey();
      }
    },
    /** Rotates every ring that has keys; returns what each did. */
    async rotate(): Promise<Array<{ kid: string; activatesAtMs: number; retiredKid: string | null }>> {
      return Promise.all((await used()).map((r) => r.rotate()));
    },
    async rotateIfDue(rotationIntervalMs: number): Promise<Array<{ kid: string; activatesAtMs: number; retiredKid: string | null }>> {
      const results = await Promise.all((await used()).map((r) => r.rotateIfDue(rotationIntervalMs)));
      return results.filter((r) => r !== null);
    },
  };
}

export type IdTokenKeys = ReturnType<typeof createIdTokenKeys>;
