import { hash, timingSafeEqual } from 'node:crypto';
import type { Random } from '../ports.ts';

const idBytes = 16;
// 256 bits: well above the 128-bit floor (ASVS 7.2.3, lucia's >= 120 bits).
const secretBytes = 32;
const idPattern = /^[A-Za-z0-9_-]{22}$/;
const secretPattern = /^[A-Za-z0-9_-]{43}$/;

export interface NewSessionToken {
  id: string;
  /** `id.secret`: the value of the cookie. Shown to the client once, never stored. */
  token: string;
  secretHash: Uint8Array;
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

export function hashSecret(secret: string): Uint8Array {
  return new Uint8Array(hash('sha256', secret, 'buffer'));
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
  const dot = token.indexOf('.');
  if (dot !== 22 || token.length !== 66) return null;
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  return idPattern.test(id) && secretPattern.test(secret) ? { id, secret } : null;
}

/** Constant-time comparison of the presented secret with the stored hash. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  // The digest as node returns it (a Buffer), compared as is: no copy on the session check.
  const presented = hash('sha256', secret, 'buffer');
  return presented.length === storedHash.length && timingSafeEqual(presented, storedHash);
}
