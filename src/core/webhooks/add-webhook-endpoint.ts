import { auditEvent } from '../audit/audit-event.ts';
import { AuthError } from '../errors.ts';
import { randomId } from '../sessions/session-token.ts';
import type { WebhookEndpoint } from '../ports.ts';
import type { RequestContext } from '../deps.ts';
import type { WebhookDeps } from './webhook-deps.ts';
import { isWebhookEventType, webhookEventTypes, type WebhookEventType } from './webhook-events.ts';
import { newWebhookSecret, sealWebhookSecret } from './webhook-secret.ts';

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The URL's shape; where it may connect to is decided on every attempt by the sender
 * (src/delivery/http-sender.ts, docs/security.md SEC-285), since a name can change its address.
 */
export function checkWebhookUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AuthError('invalid_webhook_url');
  }
  const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && loopbackNames.has(url.hostname));
  if (!scheme || url.username !== '' || url.password !== '' || raw.length > 2048) throw new AuthError('invalid_webhook_url');
  return url.href;
}

export function checkWebhookEvents(events: readonly string[]): WebhookEventType[] {
  const unknown = events.filter((e) => !isWebhookEventType(e));
  if (events.length === 0 || unknown.length > 0) {
    throw new AuthError('invalid_webhook_event', { detail: `Known events: ${webhookEventTypes.join(', ')}.${unknown.length > 0 ? ` Unknown: ${unknown.join(', ')}.` : ''}` });
  }
  return [...new Set(events as WebhookEventType[])];
}

/**
 * Adds an endpoint and returns it with its signing secret, in the `whsec_` form, shown this
 * once: only its encryption is stored (it must be read back to sign).
 */
export async function addWebhookEndpoint(
  deps: WebhookDeps,
  input: { url: string; events: readonly string[] },
  context: RequestContext,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const url = checkWebhookUrl(input.url);
  const events = checkWebhookEvents(input.events);
  const id = `ep_${randomId(deps.random)}`;
  const secret = newWebhookSecret(deps.random);
  const endpoint: WebhookEndpoint = {
    id,
    url,
    events,
    secretJwe: await sealWebhookSecret(secret, id, deps.webhookKeys),
    createdAtMs: deps.clock.nowMs(),
    consecutiveFailures: 0,
    lastSuccessAtMs: null,
    lastFailureAtMs: null,
    lastError: null,
  };
  await deps.store.transaction(async (tx) => {
    await tx.webhookEndpoints.create(endpoint);
    await tx.audit.append(auditEvent(deps, 'webhook.endpoint_added', context, { detail: `${id} ${url} ${events.join(' ')}` }));
  });
  return { endpoint, secret };
}
