import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import { retryDelivery } from '../../../core/delivery/retry-delivery.ts';
import type { Delivery, WebhookEndpoint } from '../../../core/ports.ts';
import { webhookKind } from '../../../core/webhooks/with-webhook-events.ts';
import { attempt } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { alert, notice, redirectAfterPost } from '../layout.ts';
import { operatorContext, operatorOnly, operatorSession } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';
import { actionButton, utcTime } from './format.ts';

const deadShown = 50;

function eventType(delivery: Delivery): string {
  try {
    return String((JSON.parse(delivery.payload) as { type?: unknown }).type ?? '');
  } catch {
    return '';
  }
}

function endpointTable(endpoints: readonly WebhookEndpoint[], pending: ReadonlyMap<string, number>): SafeHtml {
  if (endpoints.length === 0) return html`<p class="muted">No endpoint yet: add one with <code>gatehouse webhooks add --url URL --event EVENT</code>.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Last success</th><th scope="col">Last failure</th><th scope="col">Waiting</th></tr></thead><tbody>${endpoints.map(
    (e) => html`<tr data-endpoint-id="${e.id}"><td><code>${e.url}</code><br><span class="muted">${e.id}</span></td><td data-label="Events">${e.events.join(' ')}</td><td data-label="State">${
      e.consecutiveFailures === 0 ? 'healthy' : html`<strong>failing</strong>: ${String(e.consecutiveFailures)} in a row (${e.lastError ?? ''})`
    }</td><td data-label="Last success">${utcTime(e.lastSuccessAtMs)}</td><td data-label="Last failure">${utcTime(e.lastFailureAtMs)}</td><td data-label="Waiting">${String(pending.get(e.id) ?? 0)}</td></tr>`,
  )}</tbody></table>`;
}

function deadTable(dead: readonly Delivery[], urls: ReadonlyMap<string, string>): SafeHtml {
  if (dead.length === 0) return html`<p class="muted">No dead letters.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">Event</th><th scope="col">Endpoint</th><th scope="col">Written</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead><tbody>${dead.map(
    (d) => html`<tr data-delivery-id="${d.id}"><td>${eventType(d)}<br><span class="muted">${d.id}</span></td><td data-label="Endpoint">${urls.get(d.subject ?? '') ?? html`<span class="muted">removed</span>`}</td><td data-label="Written">${utcTime(d.createdAtMs)}</td><td data-label="Attempts">${String(d.attempts)}</td><td data-label="Last error">${d.lastError ?? ''}${d.lastStatus === null ? '' : ` (HTTP ${String(d.lastStatus)})`}</td><td>${actionButton(`/admin/webhooks/deliveries/${encodeURIComponent(d.id)}/retry`, 'Retry', { ariaLabel: `Retry ${eventType(d)} delivery ${d.id}` })}</td></tr>`,
  )}</tbody></table>`;
}

/** GET /admin/webhooks (endpoints with their failure state, the dead letters) and the retry action. */
export function webhookPages(app: FastifyInstance, deps: CoreDeps): void {
  const operator = operatorOnly(deps);

  const render = async (operatorRequest: Parameters<typeof operatorSession>[0], status: number, message: { notice?: string | undefined; error?: string | undefined }) => {
    const [endpoints, dead, waiting] = await Promise.all([
      deps.store.webhookEndpoints.list(),
      deps.store.deliveries.list({ kind: webhookKind, state: 'dead', limit: deadShown }),
      deps.store.deliveries.list({ kind: webhookKind, state: 'pending', limit: 1000 }),
    ]);
    const pending = new Map<string, number>();
    for (const d of waiting) pending.set(d.subject ?? '', (pending.get(d.subject ?? '') ?? 0) + 1);
    const urls = new Map(endpoints.map((e) => [e.id, e.url]));
    return {
      title: 'Webhooks',
      section: '/admin/webhooks',
      status,
      body: html`${notice(message.notice)}${alert(message.error)}<section class="card" aria-labelledby="endpoints-title"><h1 id="endpoints-title">Webhooks</h1>
<h2>Endpoints</h2>
${endpointTable(endpoints, pending)}
</section>
<section class="card" aria-labelledby="dead-title"><h2 id="dead-title">Dead letters</h2>
<p class="muted">Deliveries given up on after 3 days of failures (or whose endpoint was removed), newest first. A retry sends the same event again, with the same <code>webhook-id</code>.</p>
${deadTable(dead, urls)}
</section>`,
      operator: operatorSession(operatorRequest),
    };
  };

  app.get<{ Querystring: { done?: string } }>(
    '/admin/webhooks',
    { preHandler: operator, schema: { tags: ['pages'], summary: 'Console: webhook endpoints, their failure state and the dead letters.', querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 40 } } } } },
    async (request, reply) => {
      const page = await render(request, 200, { notice: request.query.done === 'retried' ? 'The delivery is pending again; the worker sends it within seconds.' : undefined });
      return sendConsolePage(reply, page.status, page.operator, page);
    },
  );

  // Protective: re-sending an event the receiver missed needs no re-authentication.
  app.post<{ Params: { id: string } }>(
    '/admin/webhooks/deliveries/:id/retry',
    { preHandler: operator, schema: { tags: ['pages'], summary: 'Console: send a dead webhook delivery again (same webhook-id).' } },
    async (request, reply) => {
      const result = await attempt(() => retryDelivery(deps, request.params.id, operatorContext(request)));
      if (!result.ok) {
        const page = await render(request, result.status, { error: result.message });
        return sendConsolePage(reply, page.status, page.operator, page);
      }
      return redirectAfterPost(reply, '/admin/webhooks?done=retried');
    },
  );
}
