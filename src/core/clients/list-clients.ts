import type { CoreDeps } from '../deps.ts';
import { toClientView, type ClientView } from './client-policy.ts';

/**
 * Every registered client, oldest first (then by id), without secret hashes: a listing is
 * shown to operators and printed to terminals, and a hash has no business there.
 *
 * @example
 * for (const client of await listClients(deps)) console.log(client.id, client.grantTypes.join(' '));
 */
export async function listClients(deps: CoreDeps): Promise<ClientView[]> {
  const clients = await deps.store.clients.list();
  return clients
    .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(toClientView);
}
