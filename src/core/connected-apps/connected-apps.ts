import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { enqueueBackchannelLogouts } from '../logout/enqueue-backchannel-logouts.ts';
import type { User } from '../ports.ts';
import { describeScopes } from './describe-scopes.ts';

/** An app the user allowed, as /account lists it. */
export interface ConnectedApp {
  clientId: string;
  name: string;
  /** When the user first allowed it. */
  grantedAtMs: number;
  scopes: string[];
  /** What it may see, in plain words (describe-scopes.ts). */
  canSee: string[];
}

/** The apps the user consented to, most recently allowed first; an app deleted since is left out. */
export async function listConnectedApps(deps: Pick<CoreDeps, 'store'>, userId: string): Promise<ConnectedApp[]> {
  const apps: ConnectedApp[] = [];
  for (const consent of await deps.store.consents.listByUser(userId)) {
    const client = await deps.store.clients.findById(consent.clientId);
    if (client === null) continue;
    apps.push({ clientId: client.id, name: client.name, grantedAtMs: consent.grantedAtMs, scopes: [...consent.scopes], canSee: describeScopes(consent.scopes, client.audience) });
  }
  return apps.sort((a, b) => b.grantedAtMs - a.grantedAtMs || (a.clientId < b.clientId ? -1 : 1));
}

/**
 * Revokes an app's access, in one transaction: the consent goes (the next login to it asks
 * again), every refresh token it holds for the user ends, and it is sent a back-channel logout
 * for each of the user's sessions it was issued tokens under. The user's Gatehouse sessions and
 * other apps are untouched. Not a sensitive change (it only takes access away), so it needs no
 * re-authentication. An app the user never allowed is `connected_app_not_found`.
 */
export async function revokeConnectedApp(deps: CoreDeps, user: User, clientId: string, context: RequestContext): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if (!(await tx.consents.delete(user.id, clientId))) throw new AuthError('connected_app_not_found');
    const sessionIds = (await tx.sessions.listByUser(user.id)).map((s) => s.id);
    const refreshTokens = await tx.refreshTokens.deleteForClient(sessionIds, clientId);
    const logouts = await enqueueBackchannelLogouts(deps, tx, sessionIds, { onlyClientId: clientId });
    await tx.audit.append(auditEvent(deps, 'connected_app.revoked', context, { userId: user.id, email: user.email, detail: `client ${clientId}: ${refreshTokens} refresh tokens ended, ${logouts} back-channel logouts` }));
  });
}
