import { createHmac } from 'node:crypto';
import { hmacKey } from '../hmac-key.ts';
import type { Random } from '../ports.ts';
import { hashSecret } from '../sessions/session-token.ts';
import { timeOrderedId, timeOrderedIdWith } from '../time-ordered-id.ts';

export interface RefreshTokenParts {
  id: string;
  /** `id.secret`, handed to the client once. */
  token: string;
  secretHash: Uint8Array;
}

function parts(id: string, secret: string): RefreshTokenParts {
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/**
 * The ids are time-ordered (core/time-ordered-id.ts: 48 bits of milliseconds, then 80 bits that
 * only keep ids apart): refresh tokens are only ever appended, one per rotation, so the primary
 * key index takes each new one beside the last, and the tokens clients present (the recent ones)
 * sit on a few hot pages. With random ids every rotation dirtied one more random index page, and
 * a server's table outgrew the page cache: CPU per grant and WAL volume grew with its age. The id
 * is not a secret (the 256-bit secret is); it tells when the token was issued, which its access
 * token's `iat` tells anyway.
 */

/** The first refresh token of a family: `id.secret`, a random 256-bit secret, like a session token. */
export function newRefreshToken(random: Random, nowMs: number): RefreshTokenParts {
  return parts(timeOrderedId(nowMs, random), Buffer.from(random.bytes(32)).toString('base64url'));
}

/**
 * The successor of a refresh token, rotated at `rotatedAtMs`, derived from its secret with
 * HMAC-SHA512 under a server key. Derivation makes rotation idempotent without storing any
 * token: two tabs that present the same token at the same moment both receive the same
 * successor (the second recomputes it from the rotation time stored with the used token), and
 * the database still holds only SHA-256 hashes. Without the server key the successor cannot be
 * computed, so a stolen token past the grace window is only reuse.
 */
export function successorRefreshToken(rotationKey: Uint8Array, presentedSecret: string, rotatedAtMs: number): RefreshTokenParts {
  const derived = derive(rotationKey, presentedSecret);
  return parts(timeOrderedIdWith(rotatedAtMs, derived.subarray(0, 10)), derived.subarray(16, 48).toString('base64url'));
}

/**
 * The successor that a rotation at `rotatedAtMs` pointed a token to (`successorId`), recomputed
 * from the presented secret, or null when this secret does not derive it. Also recognises the
 * successor of a rotation made before successor ids were time-ordered (the first 128 bits of
 * the same HMAC), so a race that spans an upgrade (two instances, one not yet upgraded) is
 * still the benign race, not reuse.
 */
export function successorPointedTo(rotationKey: Uint8Array, presentedSecret: string, rotatedAtMs: number, successorId: string): RefreshTokenParts | null {
  const derived = derive(rotationKey, presentedSecret);
  const id = [timeOrderedIdWith(rotatedAtMs, derived.subarray(0, 10)), derived.subarray(0, 16).toString('base64url')].find((candidate) => candidate === successorId);
  return id === undefined ? null : parts(id, derived.subarray(16, 48).toString('base64url'));
}

function derive(rotationKey: Uint8Array, presentedSecret: string): Buffer {
  return createHmac('sha512', hmacKey(rotationKey)).update(`gatehouse refresh rotation v1\0${presentedSecret}`).digest();
}
