import type { DeliveryKind } from '../delivery/deliver-due.ts';
import type { DeliveryOutcome, WebhookEndpointStore } from '../ports.ts';
import { openWebhookSecret } from './webhook-secret.ts';

/**
 * Webhooks in the outbox: each attempt is signed by the `standardwebhooks` library with the
 * endpoint's current secret, over the delivery's stable id (`webhook-id`), the attempt's time
 * (`webhook-timestamp`, so a receiver can refuse replays) and the exact body. The outcome
 * updates the endpoint's failure state. The library is loaded with the first delivery, not at
 * start-up: most servers have no webhook endpoint.
 */
export function webhookDeliveryKind(deps: {
  endpoints: WebhookEndpointStore;
  webhookKeys: readonly Uint8Array[];
  /** Told after every attempt (metrics). */
  onOutcome?: ((outcome: DeliveryOutcome) => void) | undefined;
}): DeliveryKind {
  return {
    contentType: 'application/json',
    async prepare(delivery, atMs) {
      const endpoint = delivery.subject === null ? null : await deps.endpoints.findById(delivery.subject);
      if (endpoint === null) return null;
      const secret = await openWebhookSecret(endpoint.secretJwe, endpoint.id, deps.webhookKeys);
      if (secret === null) throw new Error(`the signing secret of webhook endpoint ${endpoint.id} cannot be decrypted with any configured GATEHOUSE_SECRET`);
      const { Webhook } = await import('standardwebhooks');
      const timestamp = new Date(atMs);
      return {
        'webhook-id': delivery.id,
        'webhook-timestamp': String(Math.floor(atMs / 1000)),
        'webhook-signature': new Webhook(secret).sign(delivery.id, timestamp, delivery.payload),
      };
    },
    async onOutcome(delivery, outcome) {
      deps.onOutcome?.(outcome);
      if (delivery.subject === null || outcome.lastError === 'target_removed') return;
      await deps.endpoints.recordAttempt(delivery.subject, { ok: outcome.state === 'delivered', atMs: outcome.atMs, error: outcome.lastError });
    },
  };
}
