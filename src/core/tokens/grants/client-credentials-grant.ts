import { AuthError } from '../../errors.ts';
import type { Client } from '../../ports.ts';
import type { VerifiedDpopProof } from '../../dpop/verify-dpop-proof.ts';
import { signAccessToken, type TokenDeps } from '../issue-access-token.ts';
import type { IssuedTokenPair } from '../issue-token-pair.ts';
import { audienceFor } from '../resource-audience.ts';

/**
 * The scopes granted: the ones asked for, each among the client's registered scopes; all of them
 * when none are asked for (RFC 6749 3.3, the pre-defined default). Order as registered.
 */
function grantedScope(client: Client, requested: string | undefined): string {
  const asked = requested === undefined ? [] : requested.split(' ').filter((scope) => scope !== '');
  const unknown = asked.filter((scope) => !client.scopes.includes(scope));
  if (unknown.length > 0) throw new AuthError('invalid_scope', { detail: 'The client is not registered for every scope it asked for.' });
  return (asked.length === 0 ? client.scopes : client.scopes.filter((scope) => asked.includes(scope))).join(' ');
}

/**
 * `grant_type=client_credentials` (RFC 6749 4.4): a service acting for itself, after client
 * authentication (a secret or a private_key_jwt assertion; public clients cannot register it).
 * The token's subject is the client (RFC 9068 2.2), it carries no `sid` (there is no user
 * session: revoke it by `jti`, or let it expire), its audience is the client's or an allowed
 * `resource` (RFC 8707), its scope at most the client's registered scopes, and there is no
 * refresh token: the client asks again. Bound to a DPoP key when a proof came with the request.
 *
 * @example
 * const issued = await clientCredentialsGrant(deps, client, { scope: 'reports:read', resource: undefined });
 */
export async function clientCredentialsGrant(
  deps: TokenDeps,
  client: Client,
  input: { scope: string | undefined; resource: string | undefined },
  proof: VerifiedDpopProof | null = null,
): Promise<IssuedTokenPair> {
  if (client.type !== 'confidential' || !client.grantTypes.includes('client_credentials')) throw new AuthError('unauthorized_client');
  const access = await signAccessToken(deps, {
    subject: client.id,
    client,
    audience: audienceFor(client, input.resource),
    scope: grantedScope(client, input.scope),
    claims: {},
    notAfterMs: Number.POSITIVE_INFINITY,
    dpopJkt: proof?.jkt ?? null,
  });
  return { ...access, refreshToken: null };
}
