import type { CoreDeps } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { User } from '../ports.ts';
import { findRecoveryCode, normalizeRecoveryCode, recoveryCodeCount } from './recovery-codes.ts';

/** How long after generation the codes shown may be downloaded as a file. */
export const recoveryCodesDownloadWindowMs = 10 * 60_000;

/**
 * The codes for the "Download as .txt" button, which re-posts the codes the page just showed.
 * Nothing in plaintext is kept on the server to serve them from: instead the server proves the
 * posted codes are exactly this user's current set (each matches an unused stored hash, all of
 * them, no repeats) and that the set was made in the last 10 minutes. So the route echoes nothing
 * else: not a file of someone else's choosing (reflected file download), not old codes from a
 * page left open (docs/security.md SEC-140).
 *
 * @example
 * const codes = await recoveryCodesForDownload(deps, user, posted.split(/\s+/));
 */
export async function recoveryCodesForDownload(deps: Pick<CoreDeps, 'store' | 'clock'>, user: User, presented: readonly string[]): Promise<string[]> {
  const refused = new AuthError('recovery_codes_download_expired');
  const codes = presented.filter((c) => c !== '');
  if (codes.length !== recoveryCodeCount) throw refused;
  const nowMs = deps.clock.nowMs();
  const matched = new Set<string>();
  for (const code of codes) {
    // The shape first: a SHA-256 of arbitrary posted text is cheap, but there is no need for it.
    if (!/^[A-Z0-9]{16}$/.test(normalizeRecoveryCode(code))) throw refused;
    const record = await findRecoveryCode(deps, user.id, code);
    if (record === null || matched.has(record.id) || nowMs - record.createdAtMs > recoveryCodesDownloadWindowMs) throw refused;
    matched.add(record.id);
  }
  return codes.map((c) => normalizeRecoveryCode(c).match(/.{4}/g)!.join('-'));
}
