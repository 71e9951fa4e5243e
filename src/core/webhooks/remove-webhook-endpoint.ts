import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import type { RequestContext } from '../deps.ts';
import type { WebhookDeps } from './webhook-deps.ts';

/** Removes an endpoint; its pending deliveries end as dead (`target_removed`) at their next attempt. */
export async function removeWebhookEndpoint(deps: Pick<WebhookDeps, 'store' | 'clock' | 'random'>, endpointId: string, context: RequestContext): Promise<void> {
  await deps.store.transaction(async (tx) => {
    if (!(await tx.webhookEndpoints.delete(endpointId))) throw new AuthError('webhook_endpoint_not_found');
    await tx.audit.append(auditEvent(deps, 'webhook.endpoint_removed', context, { detail: endpointId }));
  });
}
