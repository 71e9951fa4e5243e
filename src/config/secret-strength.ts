/**
 * A rough measure of how much a secret could have been guessed: its length times the Shannon
 * entropy of its own characters (bits per character, from how often each one occurs). A random
 * `openssl rand -base64 32` scores about 190 bits, `openssl rand -hex 32` about 240; 32 × `a`
 * scores 0, and `abab…` or a word repeated score far below the bar. It cannot see that an
 * English sentence is guessable, so it is a floor against placeholders and typos, not a proof.
 */
export function estimatedSecretBits(secret: string): number {
  const chars = [...secret];
  const counts = new Map<string, number>();
  for (const c of chars) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bitsPerChar = 0;
  for (const n of counts.values()) {
    const p = n / chars.length;
    bitsPerChar -= p * Math.log2(p);
  }
  return bitsPerChar * chars.length;
}

/** The floor a secret must clear outside dev mode (docs/security.md SEC-109). */
export const minimumSecretBits = 100;
