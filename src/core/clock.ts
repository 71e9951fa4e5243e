import { randomFillSync } from 'node:crypto';
import type { Clock, Random } from './ports.ts';

/** The real clock, for main.ts and the CLI. Tests use a clock they move by hand. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** The real CSPRNG. */
// Filled in place: no Buffer made and then copied (several per refresh grant).
export const systemRandom: Random = { bytes: (length) => randomFillSync(new Uint8Array(length)) };
