import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import type { RequestContext } from '../deps.ts';
import type { WebhookDeps } from './webhook-deps.ts';
import { newWebhookSecret, sealWebhookSecret } from './webhook-secret.ts';

/**
 * A new signing secret for an endpoint, shown this once; the old one stops at once (every
 * attempt from now on, retries of older events too, is signed with the new one).
 */
export async function rotateWebhookSecret(deps: WebhookDeps, endpointId: string, context: RequestContext): Promise<string> {
  const secret = newWebhookSecret(deps.random);
  const secretJwe = await sealWebhookSecret(secret, endpointId, deps.webhookKeys);
  await deps.store.transaction(async (tx) => {
    if (!(await tx.webhookEndpoints.setSecret(endpointId, secretJwe))) throw new AuthError('webhook_endpoint_not_found');
    await tx.audit.append(auditEvent(deps, 'webhook.secret_rotated', context, { detail: endpointId }));
  });
  return secret;
}
