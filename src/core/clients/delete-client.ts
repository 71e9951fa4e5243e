import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';

/**
 * Deletes a client: from then on it authenticates nowhere (authenticateClient answers
 * `invalid_client`) and its id may be registered again. An unknown id is `not_found`.
 * Tokens the client already obtained are not revoked here: access tokens are self-contained
 * and run to their expiry.
 *
 * @example
 * await deleteClient(deps, 'billing');
 */
export async function deleteClient(deps: CoreDeps, clientId: string): Promise<void> {
  if (!(await deps.store.clients.delete(clientId))) throw new AuthError('not_found', { detail: 'No client with this id.' });
}
