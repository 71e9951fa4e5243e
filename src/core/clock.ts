import { randomBytes } from 'node:crypto';
import type { Clock, Random } from './ports.ts';

/** The real clock, for main.ts and the CLI. Tests use a clock they move by hand. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** The real CSPRNG. */
export const systemRandom: Random = { bytes: (length) => new Uint8Array(randomBytes(length)) };
