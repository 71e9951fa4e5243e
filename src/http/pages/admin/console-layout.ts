import type { FastifyReply } from 'fastify';
import type { SessionWithUser } from '../../../core/ports.ts';
import { html, type SafeHtml } from '../html.ts';
import { sendPage } from '../layout.ts';

/** The console's sections, in the order of its navigation. */
const sections: ReadonlyArray<{ path: string; label: string }> = [
  { path: '/admin', label: 'Dashboard' },
  { path: '/admin/users', label: 'Users' },
  { path: '/admin/clients', label: 'Clients' },
  { path: '/admin/keys', label: 'Keys' },
  { path: '/admin/audit', label: 'Audit' },
  { path: '/admin/settings', label: 'Settings' },
  { path: '/admin/webhooks', label: 'Webhooks' },
  { path: '/admin/inspector', label: 'Inspector' },
];

/** A console page: the section navigation, then `body`. Every console page goes through this. */
export function sendConsolePage(reply: FastifyReply, status: number, operator: SessionWithUser, options: { title: string; section: string; body: SafeHtml }): FastifyReply {
  const nav = html`<nav class="console-nav" aria-label="Console">${sections.map((s) =>
    s.path === options.section ? html`<a href="${s.path}" aria-current="page">${s.label}</a> ` : html`<a href="${s.path}">${s.label}</a> `,
  )}</nav>`;
  return sendPage(reply.header('cache-control', 'no-store'), status, { title: `${options.title} · Console`, signedInAs: operator.user.email, body: html`${nav}${options.body}` });
}
