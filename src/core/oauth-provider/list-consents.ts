import type { CoreDeps } from '../deps.ts';
import type { Consent } from '../ports.ts';

/** A connected app as the user's account page shows it. */
export interface ConnectedApp {
  clientId: string;
  /** The client's registered name; the id when the client is gone. */
  name: string;
  scopes: string[];
  grantedAtMs: number;
  updatedAtMs: number;
}

/**
 * The apps the user allowed (consents), oldest first, for "Connected apps" on /account. An app
 * registered to skip consent appears once the user has used it only if it had a consent recorded.
 *
 * @example
 * for (const app of await listConsents(deps, user.id)) console.log(app.name, app.scopes.join(' '));
 */
export async function listConsents(deps: Pick<CoreDeps, 'store'>, userId: string): Promise<ConnectedApp[]> {
  const consents: Consent[] = await deps.store.consents.listByUser(userId);
  return Promise.all(
    consents.map(async (c) => ({ clientId: c.clientId, name: (await deps.store.clients.findById(c.clientId))?.name ?? c.clientId, scopes: [...c.scopes], grantedAtMs: c.grantedAtMs, updatedAtMs: c.updatedAtMs })),
  );
}
