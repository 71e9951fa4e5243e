import { hash, timingSafeEqual } from 'node:crypto';
import type { Random } from '../ports.ts';

const idBytes = 16;
// 256 bits: well above the 128-bit floor (ASVS 7.2.3, lucia's >= 120 bits).
const secretBytes = 32;
// `id.secret`: 22 and 43 base64url characters, tested in one pass on every session check.
const tokenPattern = /^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/;

export interface NewSessionToken {
  id: string;
  /** `id.secret`: the value of the cookie. Shown to the client once, never stored. */
  token: string;
  secretHash: Uint8Array;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/**
 * SHA-256 of a secret, as a Buffer. Asked for as base64url and decoded, not as 'buffer': node's
 * one-shot hash makes a 'buffer' result as a fresh ArrayBuffer from C++ (about 3 us each in the
 * session check's profile), while a short string decodes into the shared pool (under 1 us).
 */
function sha256(secret: string): Buffer {
  return Buffer.from(hash('sha256', secret, 'base64url'), 'base64url');
}

export function hashSecret(secret: string): Uint8Array {
  // A copy of its own: a pooled Buffer would keep the whole pool alive as long as the hash lives.
  return new Uint8Array(sha256(secret));
}

/** A random public identifier: sessions, users and audit events. */
export function randomId(random: Random): string {
  return base64url(random.bytes(idBytes));
}

/** Makes a new session token; only its SHA-256 goes to storage. */
export function generateSessionToken(random: Random): NewSessionToken {
  const id = randomId(random);
  const secret = base64url(random.bytes(secretBytes));
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** Splits `id.secret`; anything else (a planted value, a URL fragment, garbage) is null. */
export function parseSessionToken(token: string): { id: string; secret: string } | null {
  return token.length === 66 && tokenPattern.test(token) ? { id: token.slice(0, 22), secret: token.slice(23) } : null;
}

/** Constant-time comparison of the presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  // Compared as decoded, a pooled slice: no copy and no fresh ArrayBuffer on the session check.
  const presented = sha256(secret);
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
