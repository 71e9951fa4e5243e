import type { IdTokenSigningAlgorithm } from '../ports.ts';
import { idTokenSigningAlgorithms } from '../clients/client-oidc-policy.ts';
import { createKeyRing, type ActiveSigningKey, type KeyRing, type KeyRingOptions } from './key-ring.ts';

/**
 * The ID token keys: one key ring per algorithm (RS256, OIDC's mandatory default; ES256 and
 * EdDSA for clients registered with them), beside the access token ring and in the same store
 * and JWKS. A ring gets its first key the first time an ID token of its algorithm is signed, so
 * an install that is no OpenID Provider publishes no extra key. `gatehouse keys rotate` and the
 * rotation schedule rotate every ring that has keys, each published ahead like the access keys.
 * The JWKS of this process shows a new first key at once (`publisher.reload()`); other instances
 * re-read the keys within their reload interval (a minute), and relying parties refetch a JWKS
 * when they meet an unknown `kid`.
 */
export function createIdTokenKeys(options: Omit<KeyRingOptions, 'algorithm' | 'purpose'>, publisher: Pick<KeyRing, 'reload'>) {
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
        // The JWKS (published by the access token ring) must show the new key before any RP sees a token signed with it.
        publisher.reload();
        return ring(alg).activeKey();
      }
    },
    /** Rotates every ring that has keys; returns what each did. */
    async rotate(): Promise<Array<{ kid: string; activatesAtMs: number; retiredKid: string | null }>> {
      const rotated = await Promise.all((await used()).map((r) => r.rotate()));
      publisher.reload();
      return rotated;
    },
    async rotateIfDue(rotationIntervalMs: number): Promise<Array<{ kid: string; activatesAtMs: number; retiredKid: string | null }>> {
      const results = (await Promise.all((await used()).map((r) => r.rotateIfDue(rotationIntervalMs)))).filter((r) => r !== null);
      if (results.length > 0) publisher.reload();
      return results;
    },
  };
}

export type IdTokenKeys = ReturnType<typeof createIdTokenKeys>;
