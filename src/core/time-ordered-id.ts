import type { Random } from './ports.ts';

/**
 * A public identifier for rows that are only ever appended (audit entries, refresh tokens): 48 bits of the
 * creation time in milliseconds, then 80 random bits, as 22 base64url characters, the shape of
 * `randomId` (core/sessions/session-token.ts). Ids made within the same seconds share their
 * first characters, so a primary-key index takes each new one beside the last, on a page the
 * commit writes anyway, instead of on a random page of its own: with 128 random bits, every
 * insert dirtied one more page at COMMIT (and again at the checkpoint). Not for anything that
 * must stay unguessable or hide when it was made: those take `randomId`.
 *
 * @example
 * const id = timeOrderedId(deps.clock.nowMs(), deps.random); // 'AZQ7x1mC...'
 */
export function timeOrderedId(nowMs: number, random: Random): string {
  return timeOrderedIdWith(nowMs, random.bytes(10));
}

/** The same shape with the 80 bits after the time given (`tail`, 10 bytes): for an id derived from something, e.g. a refresh token's successor. */
export function timeOrderedIdWith(nowMs: number, tail: Uint8Array): string {
  const bytes = Buffer.allocUnsafe(16);
  bytes.writeUIntBE(Math.trunc(nowMs) % 2 ** 48, 0, 6);
  bytes.set(tail.subarray(0, 10), 6);
  return bytes.toString('base64url');
}
