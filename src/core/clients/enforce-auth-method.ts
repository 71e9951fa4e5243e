import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';

/**
 * Takes away the leeway of a client registered before its token endpoint auth method was enforced
 * (migration 0020, docs/security.md SEC-208): from now on it authenticates with exactly its
 * registered secret method, `client_secret_basic` or `client_secret_post`, like every client
 * registered since. Audited with the context (the operator's id from the console). A client that
 * has no leeway is left as it is (`already_enforced`, nothing written); an unknown id is `not_found`.
 */
export async function enforceAuthMethod(deps: CoreDeps, clientId: string, context: RequestContext): Promise<'enforced' | 'already_enforced'> {
  const client = await deps.store.clients.findById(clientId);
  if (client === null) throw new AuthError('not_found', { detail: 'No client with this id.' });
  if (!client.acceptsEitherSecretMethod) return 'already_enforced';
  await deps.store.transaction(async (tx) => {
    if (!(await tx.clientMaintenance.enforceAuthMethod(clientId))) throw new AuthError('not_found', { detail: 'No client with this id.' });
    await tx.audit.append(auditEvent(deps, 'client.auth_method_enforced', context, { detail: `client ${clientId}: ${client.tokenEndpointAuthMethod} only` }));
  });
  return 'enforced';
}
