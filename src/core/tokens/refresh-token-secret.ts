import { createHmac } from 'node:crypto';
import { hmacKey } from '../hmac-key.ts';
import type { Random } from '../ports.ts';
import { hashSecret, randomId } from '../sessions/session-token.ts';

export interface RefreshTokenParts {
  id: string;
  /** `id.secret`, handed to the client once. */
  token: string;
  secretHash: Uint8Array;
}

function parts(id: string, secret: string): RefreshTokenParts {
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** The first refresh token of a family: random, like a session token (`id.secret`, 256-bit secret). */
export function newRefreshToken(random: Random): RefreshTokenParts {
  return parts(randomId(random), Buffer.from(random.bytes(32)).toString('base64url'));
}

/**
 * The successor of a refresh token, derived from its secret with HMAC-SHA512 under a server key.
 * Derivation makes rotation idempotent without storing any token: two tabs that present the
 * same token at the same moment both receive the same successor (the second recomputes it),
 * and the database still holds only SHA-256 hashes. Without the server key the successor
 * cannot be computed, so a stolen token past the grace window is only reuse.
 */
export function successorRefreshToken(rotationKey: Uint8Array, presentedSecret: string): RefreshTokenParts {
  const derived = createHmac('sha512', hmacKey(rotationKey)).update(`gatehouse refresh rotation v1\0${presentedSecret}`).digest();
  return parts(derived.subarray(0, 16).toString('base64url'), derived.subarray(16, 48).toString('base64url'));
}
