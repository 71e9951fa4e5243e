import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import { retryDelivery } from '../../../core/delivery/retry-delivery.ts';
import type { Delivery, WebhookEndpoint } from '../../../core/ports.ts';
import { addWebhookEndpoint } from '../../../core/webhooks/add-webhook-endpoint.ts';
import { removeWebhookEndpoint } from '../../../core/webhooks/remove-webhook-endpoint.ts';
import { rotateWebhookSecret } from '../../../core/webhooks/rotate-webhook-secret.ts';
import { webhookEventTypes } from '../../../core/webhooks/webhook-events.ts';
import { webhookKind } from '../../../core/webhooks/with-webhook-events.ts';
import { attempt, field, fieldValues } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { alert, notice, redirectAfterPost } from '../layout.ts';
import { operatorContext, operatorOnly, operatorSession, recentOperatorAuthentication } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';
import { actionButton, utcTime } from './format.ts';
import type { ShownOnce } from './shown-once.ts';

const deadShown = 50;

function eventType(delivery: Delivery): string {
  try {
    return String((JSON.parse(delivery.payload) as { type?: unknown }).type ?? '');
  } catch {
    return '';
  }
}

const notices: Record<string, string> = {
  retried: 'The delivery is pending again; the worker sends it within seconds.',
  removed: 'The endpoint is removed; its pending deliveries end as dead letters.',
};

const place = 'webhooks';

function endpointActions(e: WebhookEndpoint, manage: boolean): SafeHtml {
  if (!manage) return html``;
  const base = `/admin/webhooks/endpoints/${encodeURIComponent(e.id)}`;
  return html`<td><div class="actions">${actionButton(`${base}/rotate-secret`, 'Rotate the secret', { danger: 'danger', ariaLabel: `Rotate the secret of ${e.url}` })}${actionButton(`${base}/remove`, 'Remove', { danger: 'danger', ariaLabel: `Remove ${e.url}` })}</div></td>`;
}

function endpointTable(endpoints: readonly WebhookEndpoint[], pending: ReadonlyMap<string, number>, manage: boolean): SafeHtml {
  if (endpoints.length === 0) return html`<p class="muted">No endpoint yet: add one ${manage ? 'below, or' : ''} with <code>gatehouse webhooks add --url URL --event EVENT</code>.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">URL</th><th scope="col">Events</th><th scope="col">State</th><th scope="col">Last success</th><th scope="col">Last failure</th><th scope="col">Waiting</th>${manage ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ''}</tr></thead><tbody>${endpoints.map(
    (e) => html`<tr data-endpoint-id="${e.id}"><td><code>${e.url}</code><br><span class="muted">${e.id}</span></td><td data-label="Events">${e.events.join(' ')}</td><td data-label="State">${
      e.consecutiveFailures === 0 ? 'healthy' : html`<strong>failing</strong>: ${String(e.consecutiveFailures)} in a row (${e.lastError ?? ''})`
    }</td><td data-label="Last success">${utcTime(e.lastSuccessAtMs)}</td><td data-label="Last failure">${utcTime(e.lastFailureAtMs)}</td><td data-label="Waiting">${String(pending.get(e.id) ?? 0)}</td>${endpointActions(e, manage)}</tr>`,
  )}</tbody></table>`;
}

function deadTable(dead: readonly Delivery[], urls: ReadonlyMap<string, string>): SafeHtml {
  if (dead.length === 0) return html`<p class="muted">No dead letters.</p>`;
  return html`<table class="stack"><thead><tr><th scope="col">Event</th><th scope="col">Endpoint</th><th scope="col">Written</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col"><span class="visually-hidden">Action</span></th></tr></thead><tbody>${dead.map(
    (d) => html`<tr data-delivery-id="${d.id}"><td>${eventType(d)}<br><span class="muted">${d.id}</span></td><td data-label="Endpoint">${urls.get(d.subject ?? '') ?? html`<span class="muted">removed</span>`}</td><td data-label="Written">${utcTime(d.createdAtMs)}</td><td data-label="Attempts">${String(d.attempts)}</td><td data-label="Last error">${d.lastError ?? ''}${d.lastStatus === null ? '' : ` (HTTP ${String(d.lastStatus)})`}</td><td>${actionButton(`/admin/webhooks/deliveries/${encodeURIComponent(d.id)}/retry`, 'Retry', { ariaLabel: `Retry ${eventType(d)} delivery ${d.id}` })}</td></tr>`,
  )}</tbody></table>`;
}

/** The form of `gatehouse webhooks add`: the URL and the events. */
const addForm = html`<form method="post" action="/admin/webhooks/endpoints">
<label for="webhook-url">URL <span class="hint">https (http only for localhost); private addresses are refused when sending unless allowed</span></label><input id="webhook-url" name="url" type="url" maxlength="2048" required>
<fieldset><legend>Events</legend>${webhookEventTypes.map((e) => html`<label class="check"><input type="checkbox" name="event" value="${e}"> ${e}</label>`)}</fieldset>
<button type="submit">Add the endpoint</button>
</form>`;

function secretShown(secret: { label: string; value: string }): SafeHtml {
  return html`<section class="card" aria-labelledby="secret-title"><h2 id="secret-title">The signing secret, shown this once</h2>
<p>Give it to the receiver now (it verifies <code>webhook-signature</code> with it); if it is lost, rotate it.</p>
<p>endpoint: <code class="secret">${secret.label}</code></p><p>secret: <code class="secret" data-webhook-secret>${secret.value}</code></p></section>`;
}

/**
 * /admin/webhooks: the endpoints with their failure state, the dead letters and their retry; and,
 * with the keys that seal signing secrets (`webhookKeys`), adding an endpoint, rotating its secret
 * (shown once) and removing it, through the CLI's operations.
 */
export function webhookPages(app: FastifyInstance, deps: CoreDeps, once: ShownOnce, webhookKeys: readonly Uint8Array[] | undefined): void {
  const operator = operatorOnly(deps);
  const manage = webhookKeys !== undefined && webhookKeys.length > 0;

  const render = async (
    operatorRequest: Parameters<typeof operatorSession>[0],
    status: number,
    message: { notice?: string | undefined; error?: string | undefined; secret?: { label: string; value: string } | null },
  ) => {
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
      body: html`${notice(message.notice)}${alert(message.error)}${message.secret == null ? '' : secretShown(message.secret)}<section class="card" aria-labelledby="endpoints-title"><h1 id="endpoints-title">Webhooks</h1>
<h2>Endpoints</h2>
${endpointTable(endpoints, pending, manage)}
</section>
${manage ? html`<section class="card" aria-labelledby="add-title"><h2 id="add-title">Add an endpoint</h2>${addForm}</section>` : ''}
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
      const secret = await once.take(request, reply, place);
      const done = request.query.done;
      const page = await render(request, 200, { notice: done !== undefined && Object.hasOwn(notices, done) ? notices[done] : undefined, secret });
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

  if (webhookKeys === undefined || !manage) return;
  const webhookDeps = { store: deps.store, clock: deps.clock, random: deps.random, webhookKeys };
  // Where events go and how they are signed is a way to the users' data: each change needs a
  // recent re-authentication (docs/security.md SEC-281); the secret is shown once, after a redirect.
  const fresh = [operator, recentOperatorAuthentication(deps, () => '/admin/webhooks')];
  const failed = async (request: Parameters<typeof operatorSession>[0], reply: Parameters<typeof sendConsolePage>[0], result: { status: number; message: string }) => {
    const page = await render(request, result.status, { error: result.message });
    return sendConsolePage(reply, page.status, page.operator, page);
  };

  app.post('/admin/webhooks/endpoints', { preHandler: fresh, schema: { tags: ['pages'], summary: 'Console: add a webhook endpoint; its signing secret is shown once.' } }, async (request, reply) => {
    const input = { url: field(request.body, 'url').trim(), events: fieldValues(request.body, 'event') };
    const result = await attempt(() => addWebhookEndpoint(webhookDeps, input, operatorContext(request)));
    if (!result.ok) return failed(request, reply, result);
    const { endpoint, secret } = result.value;
    return once.redirect(request, reply, '/admin/webhooks', place, { label: `${endpoint.id} (${endpoint.url})`, value: secret });
  });

  app.post<{ Params: { id: string } }>(
    '/admin/webhooks/endpoints/:id/rotate-secret',
    { preHandler: fresh, schema: { tags: ['pages'], summary: 'Console: a new signing secret for a webhook endpoint, shown once; the old one stops at once.' } },
    async (request, reply) => {
      const result = await attempt(() => rotateWebhookSecret(webhookDeps, request.params.id, operatorContext(request)));
      if (!result.ok) return failed(request, reply, result);
      return once.redirect(request, reply, '/admin/webhooks', place, { label: request.params.id, value: result.value });
    },
  );

  app.post<{ Params: { id: string } }>(
    '/admin/webhooks/endpoints/:id/remove',
    { preHandler: fresh, schema: { tags: ['pages'], summary: 'Console: remove a webhook endpoint; its pending deliveries end as dead.' } },
    async (request, reply) => {
      const result = await attempt(() => removeWebhookEndpoint(webhookDeps, request.params.id, operatorContext(request)));
      if (!result.ok) return failed(request, reply, result);
      return redirectAfterPost(reply, '/admin/webhooks?done=removed');
    },
  );
}

