/**
 * How a stored hash appears in a trace: "sha256:" and its first 8 hex digits, enough to match
 * two steps about the same row, never enough to stand in for the secret (docs/security.md SEC-250).
 *
 * @example
 * hashReference(session.secretHash) // 'sha256:3f9a0c41'
 */
export function hashReference(storedHash: Uint8Array): string {
  return `sha256:${Buffer.from(storedHash.subarray(0, 4)).toString('hex')}`;
}
