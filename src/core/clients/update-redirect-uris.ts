import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import { assertGrantsFit } from './client-oidc-policy.ts';
import { normalizeRedirectUris } from './redirect-uri-policy.ts';

/**
 * Replaces a client's redirect URIs and post-logout redirect URIs, checked by the same rules as
 * at registration (core/clients/redirect-uri-policy.ts, and the authorization_code grant needs
 * at least one). Audited with the context (the operator's id from the console).
 */
export async function updateRedirectUris(
  deps: CoreDeps,
  clientId: string,
  input: { redirectUris: readonly string[]; postLogoutRedirectUris: readonly string[] },
  context: RequestContext,
): Promise<void> {
  const client = await deps.store.clients.findById(clientId);
  if (client === null) throw new AuthError('not_found', { detail: 'No client with this id.' });
  const redirectUris = normalizeRedirectUris(input.redirectUris, client.type, 'redirect URI');
  const postLogoutRedirectUris = normalizeRedirectUris(input.postLogoutRedirectUris, client.type, 'post-logout redirect URI');
  assertGrantsFit({ type: client.type, grantTypes: client.grantTypes, redirectUris, method: client.tokenEndpointAuthMethod, hasJwks: client.jwks !== null || client.jwksUri !== null });
  await deps.store.transaction(async (tx) => {
    await tx.clientMaintenance.setRedirectUris(clientId, redirectUris, postLogoutRedirectUris);
    await tx.audit.append(auditEvent(deps, 'client.redirect_uris_changed', context, { detail: `client ${clientId}: ${redirectUris.length} redirect, ${postLogoutRedirectUris.length} post-logout` }));
  });
}
