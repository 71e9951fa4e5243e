import type { FastifyInstance } from 'fastify';
import type { DevOutbox } from '../../mail/dev-outbox.ts';
import type { AppConfig } from '../app-config.ts';
import { html, type SafeHtml } from './html.ts';
import { sendPage } from './layout.ts';

/** The text with its links made clickable; everything escaped by `html`. */
function linkified(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    parts.push(html`${text.slice(last, match.index)}`, html`<a href="${match[0]}">${match[0]}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}

/** On "check your inbox" pages in dev mode: where the mail really went. Nothing outside dev mode. */
export function devOutboxHint(config: Pick<AppConfig, 'devOutbox'>): SafeHtml {
  if (config.devOutbox === undefined || config.devOutbox === null) return html``;
  return html`<p class="notice dev-hint">Dev mode: mails are kept in the <a href="/dev/mail">dev outbox</a> (and printed to the console).</p>`;
}

/** Dev mode only: the outbox, at /dev/mail. Registered only when main.ts passes a dev outbox. */
export function devMailPage(app: FastifyInstance, outbox: DevOutbox): void {
  app.get('/dev/mail', { schema: { tags: ['pages'], summary: 'Dev mode: the mails sent (newest first).' } }, async (_request, reply) => {
    const rows = outbox.list().map(
      (m) => html`<tr><td data-label="Sent"><time datetime="${new Date(m.atMs).toISOString()}">${new Date(m.atMs).toISOString().replace('T', ' ').slice(0, 19)}</time></td><td data-label="To">${m.to}</td><td><a href="/dev/mail/${String(m.id)}">${m.subject}</a></td></tr>`,
    );
    return sendPage(reply, 200, {
      title: 'Dev outbox',
      body: html`<section class="card"><h1>Dev outbox</h1><p class="muted">Dev mode keeps every mail here instead of (or as well as) sending it. Links and codes are also printed to the console.</p>
${rows.length === 0 ? html`<p>No mail yet.</p>` : html`<table class="stack"><thead><tr><th scope="col">Sent (UTC)</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table>`}</section>`,
    });
  });
  app.get<{ Params: { id: string } }>('/dev/mail/:id', { schema: { tags: ['pages'], summary: 'Dev mode: one mail.' } }, async (request, reply) => {
    const mail = /^\d{1,9}$/.test(request.params.id) ? outbox.get(Number(request.params.id)) : undefined;
    if (mail === undefined) return sendPage(reply, 404, { title: 'No such mail', body: html`<section class="card narrow"><h1>No such mail</h1><p><a href="/dev/mail">Back to the outbox</a></p></section>` });
    return sendPage(reply, 200, {
      title: mail.subject,
      body: html`<section class="card"><p><a href="/dev/mail">← Outbox</a></p><h1>${mail.subject}</h1><p class="muted">To ${mail.to} · ${mail.kind}</p><pre class="mail">${linkified(mail.text)}</pre></section>`,
    });
  });
}
