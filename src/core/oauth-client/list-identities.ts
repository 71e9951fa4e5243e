import type { CoreDeps } from '../deps.ts';
import type { OAuthIdentity } from '../ports.ts';

/** The user's linked identities, oldest first. */
export async function listIdentities(deps: Pick<CoreDeps, 'store'>, userId: string): Promise<OAuthIdentity[]> {
  return (await deps.store.oauthIdentities.listByUser(userId)).sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : 1));
}
