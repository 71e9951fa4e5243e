import { randomId } from '../sessions/session-token.ts';
import type { CoreDeps } from '../deps.ts';
import type { AuthorizationParams, PendingAuthorization } from '../ports.ts';

/** A login (with a second factor, an emailed code or a social login) fits comfortably in this. */
export const pendingAuthorizationTtlMs = 30 * 60_000;

/**
 * Keeps an authorization request server-side while the user logs in or decides on consent. The
 * browser carries only the random id (in the login page's return_to), so nothing of the request
 * can be changed on the way, and no long query string has to survive the login pages.
 *
 * @example
 * const { id } = await savePendingAuthorization(deps, params, loginAfterMs, context.ip);
 */
export async function savePendingAuthorization(deps: Pick<CoreDeps, 'store' | 'clock' | 'random' | 'throttle'>, params: AuthorizationParams, loginAfterMs: number | null, ip: string): Promise<PendingAuthorization> {
  // Anyone may send an authorization request for a public client, signed in or not, and each
  // one that waits stores up to ~20 kB for 30 minutes: counted per IP before the write, like a
  // social login start (docs/security.md SEC-70, SEC-216), so a flood cannot fill the disk.
  await deps.throttle.reserve([['authorizeIp', ip]], deps.clock.nowMs());
  const nowMs = deps.clock.nowMs();
  const pending: PendingAuthorization = { id: randomId(deps.random), params, loginAfterMs, createdAtMs: nowMs, expiresAtMs: nowMs + pendingAuthorizationTtlMs };
  await deps.store.pendingAuthorizations.insert(pending);
  return pending;
}

/** The pending request, or null when unknown or expired. */
export async function findPendingAuthorization(deps: Pick<CoreDeps, 'store' | 'clock'>, id: string): Promise<PendingAuthorization | null> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  const pending = await deps.store.pendingAuthorizations.find(id);
  return pending === null || pending.expiresAtMs <= deps.clock.nowMs() ? null : pending;
}
