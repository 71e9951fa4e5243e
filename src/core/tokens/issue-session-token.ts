import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import { issueAccessToken, type IssuedAccessToken, type TokenDeps } from './issue-access-token.ts';

/**
 * `POST /v1/session/token`: a browser app with a cookie session gets an access token for its
 * API, bound to that session (`sid`). The client must exist and allow the `session` grant.
 */
export async function issueSessionToken(
  deps: CoreDeps & TokenDeps,
  current: SessionWithUser,
  input: { clientId: string },
): Promise<IssuedAccessToken> {
  const client = await deps.store.clients.findById(input.clientId);
  if (client === null || !client.grantTypes.includes('session')) {
    throw new AuthError('unauthorized_client', { detail: 'Unknown client, or the client may not use the session grant.' });
  }
  return issueAccessToken(deps, { user: current.user, session: current.session, client, scope: '' });
}
