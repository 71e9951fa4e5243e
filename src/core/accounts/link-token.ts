import type { CoreDeps } from '../deps.ts';
import type { OneTimeTokenPurpose, OneTimeTokenRecord, Store, User } from '../ports.ts';
import { generateSessionToken, parseSessionToken, secretMatches } from '../sessions/session-token.ts';

/**
 * Link tokens (email verification, password reset) have the session token's shape, `id.secret`
 * with 256 random bits of secret (>= 128: docs/security.md SEC-6); only SHA-256(secret) is stored and it
 * is compared in constant time. A new link voids the older ones of the same purpose.
 */
export async function issueLinkToken(
  deps: Pick<CoreDeps, 'clock' | 'random'>,
  tx: Store,
  user: User,
  purpose: OneTimeTokenPurpose,
  ttlMs: number,
): Promise<string> {
  const nowMs = deps.clock.nowMs();
  const { id, token, secretHash } = generateSessionToken(deps.random);
  await tx.oneTimeTokens.deleteByUser(user.id, purpose);
  await tx.oneTimeTokens.insert({ id, userId: user.id, purpose, email: user.email, secretHash, createdAtMs: nowMs, expiresAtMs: nowMs + ttlMs, usedAtMs: null });
  return token;
}

/**
 * The stored token a link carries, if it is well-formed, of this purpose, unused, unexpired and
 * its secret matches; null for every other case alike. It is not consumed here (a page may
 * show a form first): consume it with `store.oneTimeTokens.consume` in the transaction that acts.
 */
export async function findLinkToken(deps: Pick<CoreDeps, 'clock' | 'store'>, token: string, purpose: OneTimeTokenPurpose): Promise<OneTimeTokenRecord | null> {
  const parsed = parseSessionToken(token);
  if (parsed === null) return null;
  const record = await deps.store.oneTimeTokens.findById(parsed.id);
  if (record === null || !secretMatches(parsed.secret, record.secretHash)) return null;
  if (record.purpose !== purpose || record.usedAtMs !== null || record.expiresAtMs <= deps.clock.nowMs()) return null;
  return record;
}
