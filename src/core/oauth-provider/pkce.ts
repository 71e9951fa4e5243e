import { hash, timingSafeEqual } from 'node:crypto';

// RFC 7636 §4.1: 43 to 128 characters of [A-Z a-z 0-9 - . _ ~].
const verifierPattern = /^[A-Za-z0-9._~-]{43,128}$/;
// An S256 challenge is base64url(SHA-256): exactly 43 characters.
const challengePattern = /^[A-Za-z0-9_-]{43}$/;

export function isS256Challenge(challenge: string): boolean {
  return challengePattern.test(challenge);
}

/**
 * RFC 7636 §4.6 with S256 only: the verifier hashes to the challenge. Compared in constant time.
 * A malformed verifier never matches.
 */
export function pkceVerifierMatches(verifier: string, challenge: string): boolean {
  if (!verifierPattern.test(verifier) || !challengePattern.test(challenge)) return false;
  // §4.6 as written: BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge, compared
  // as the 43 characters both are (node's one-shot hash, no Hash object and no decode).
  const computed = hash('sha256', verifier, 'base64url');
  return timingSafeEqual(Buffer.from(computed, 'latin1'), Buffer.from(challenge, 'latin1'));
}
