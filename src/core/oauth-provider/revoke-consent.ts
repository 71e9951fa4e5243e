import type { CoreDeps } from '../deps.ts';

/**
 * Forgets what the user allowed the app: the next authorization asks for consent again. Ending
 * the app's refresh tokens and telling it (back-channel logout) is the caller's part (the
 * "Connected apps" revoke of /account).
 *
 * @example
 * await revokeConsent(deps, user.id, 'notes');
 */
export async function revokeConsent(deps: Pick<CoreDeps, 'store'>, userId: string, clientId: string): Promise<boolean> {
  return deps.store.consents.delete(userId, clientId);
}
