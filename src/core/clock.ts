import { randomFillSync } from 'node:crypto';
import type { Clock, Random } from './ports.ts';

/** The real clock, for main.ts and the CLI. Tests use a clock they move by hand. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** Requests up to this many bytes are served from the pool; larger ones are filled directly. */
const pooledMaxBytes = 256;
const poolBytes = 8192;

/**
 * The real CSPRNG, drawn in 8 KiB blocks. One randomFillSync call costs 2 to 9 us here whatever
 * its size (node:crypto sets up a job per call), and a code flow or a refresh grant asks for
 * 16 or 32 bytes three times; node's own randomUUID buffers its entropy the same way. Every
 * byte is handed out once: each request gets a copy of the next unused bytes (never a view of
 * the pool), and the used block is dropped, never refilled in place under a caller.
 */
function pooledRandom(): Random {
  let pool = new Uint8Array(0);
  let used = 0;
  return {
    bytes(length) {
      if (length > pooledMaxBytes) return randomFillSync(new Uint8Array(length));
      if (used + length > pool.length) {
        pool = randomFillSync(new Uint8Array(poolBytes));
        used = 0;
      }
      const out = pool.slice(used, used + length);
      used += length;
      return out;
    },
  };
}

export const systemRandom: Random = pooledRandom();
