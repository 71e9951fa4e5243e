import type { CoreDeps } from '../deps.ts';
import type { OneTimeTokenPurpose, OneTimeTokenRecord, Store, User } from '../ports.ts';
import { generateSessionToken, parseSessionToken, secretMatches } from '../sessions/session-token.ts';
import { hashReference } from '../trace/hash-reference.ts';

/**
 * Link tokens (email verification, password reset) have the session token's shape, `id.secret`
 * with 256 random bits of secret (>= 128: docs/security.md SEC-6); only SHA-256(secret) is stored and it
 * is compared in constant time. A new link voids the older ones of the same purpose.
 */
export async function issueLinkToken(
  deps: Pick<CoreDeps, 'clock' | 'random' | 'trace'>,
  tx: Store,
  user: User,
  purpose: OneTimeTokenPurpose,
  ttlMs: number,
): Promise<string> {
  const nowMs = deps.clock.nowMs();
  const { id, token, secretHash } = generateSessionToken(deps.random);
  await tx.oneTimeTokens.deleteByUser(user.id, purpose);
  await tx.oneTimeTokens.insert({ id, userId: user.id, purpose, email: user.email, secretHash, createdAtMs: nowMs, expiresAtMs: nowMs + ttlMs, usedAtMs: null });
  deps.trace?.step({
    kind: 'decision',
    title: `${purpose === 'verify_email' ? 'Verification' : 'Password reset'} link issued`,
    outcome: 'info',
    detail: { linkId: id, stored: `${hashReference(secretHash)} (SHA-256 of the secret; the link itself goes only into the mail)`, expiresAt: new Date(nowMs + ttlMs).toISOString(), olderLinks: 'voided' },
    teach: 'one-time-link',
  });
  return token;
}

/**
 * The stored token a link carries, if it is well-formed, of this purpose, unused, unexpired and
 * its secret matches; null for every other case alike. It is not consumed here (a page may
 * show a form first): consume it with `store.oneTimeTokens.consume` in the transaction that acts.
 */
export async function findLinkToken(deps: Pick<CoreDeps, 'clock' | 'store' | 'trace'>, token: string, purpose: OneTimeTokenPurpose): Promise<OneTimeTokenRecord | null> {
  const parsed = parseSessionToken(token);
  const record = parsed === null ? null : await deps.store.oneTimeTokens.findById(parsed.id);
  const why =
    parsed === null || record === null
      ? 'malformed or unknown'
      : !secretMatches(parsed.secret, record.secretHash)
        ? 'secret does not match (constant-time compare of SHA-256)'
        : record.purpose !== purpose
          ? 'made for another purpose'
          : record.usedAtMs !== null
            ? 'already used'
            : record.expiresAtMs <= deps.clock.nowMs()
              ? 'expired'
              : null;
  deps.trace?.step({ kind: 'decision', title: why === null ? 'Link valid' : `Link refused: ${why}`, outcome: why === null ? 'ok' : 'refused', detail: { purpose, linkId: parsed?.id ?? null }, teach: 'one-time-link' });
  return why === null ? record : null;
}
