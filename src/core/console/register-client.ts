import { auditEvent } from '../audit/audit-event.ts';
import { createClient, type CreatedClient, type NewClient } from '../clients/create-client.ts';
import { deleteClient } from '../clients/delete-client.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';

/** The console's client registration: createClient (the CLI's rules and validation), then an audit entry naming the operator. */
export async function registerClient(deps: CoreDeps, input: NewClient, context: RequestContext): Promise<CreatedClient> {
  const created = await createClient(deps, input);
  await deps.store.audit.append(auditEvent(deps, 'client.created', context, { detail: `client ${created.client.id} (${created.client.type})` }));
  return created;
}

/** The console's client deletion: deleteClient, then an audit entry naming the operator. */
export async function unregisterClient(deps: CoreDeps, clientId: string, context: RequestContext): Promise<void> {
  await deleteClient(deps, clientId);
  await deps.store.audit.append(auditEvent(deps, 'client.deleted', context, { detail: `client ${clientId}` }));
}
