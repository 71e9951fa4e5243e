import { randomFillSync } from 'node:crypto';
import type { Clock, Random } from './ports.ts';

/** The real clock, for main.ts and the CLI. Tests use a clock they move by hand. */
export const systemClock: Clock = { nowMs: () => Date.now() };

const poolBytes = 4096;

/**
 * The real CSPRNG, drawn from a pool: one randomFillSync call costs ~2.5 us here whatever its
 * size, and a login or a grant asks for a few short ids. Each request gets bytes no other
 * request got: the pool is refilled from the CSPRNG once drawn, and the bytes handed out are
 * zeroed in it, so the pool never holds a value already in use (as Node's randomUUID pool).
 * Requests longer than a quarter of the pool are filled directly.
 */
export function pooledRandom(fill: (bytes: Uint8Array) => Uint8Array = randomFillSync): Random {
  const pool = new Uint8Array(poolBytes);
  let offset = poolBytes;
  return {
    bytes(length) {
      if (length > poolBytes / 4) return fill(new Uint8Array(length));
      if (offset + length > poolBytes) {
        fill(pool);
        offset = 0;
      }
      const drawn = pool.slice(offset, offset + length);
      pool.fill(0, offset, offset + length);
      offset += length;
      return drawn;
    },
  };
}

/** The real CSPRNG. */
export const systemRandom: Random = pooledRandom();
