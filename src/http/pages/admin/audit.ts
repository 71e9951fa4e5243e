import type { FastifyInstance, FastifyRequest } from 'fastify';
import { auditEntries } from '../../../core/console/audit-entries.ts';
import { auditPage } from '../../../core/console/audit-page.ts';
import type { AuditQuery as ConsoleAuditQuery } from '../../../core/console/audit-query.ts';
import type { CoreDeps } from '../../../core/deps.ts';
import { html } from '../html.ts';
import { operatorOnly, operatorSession } from '../operator-only.ts';
import { auditCsv, auditJsonLines } from './audit-export.ts';
import { sendConsolePage } from './console-layout.ts';
import { auditTable } from './user-view.ts';

interface AuditQuery {
  user?: string;
  type?: string;
  ip?: string;
  from?: string;
  to?: string;
  after?: string;
}

const dayMs = 86_400_000;
const pageSize = 50;
const date = { type: 'string', pattern: '^(\\d{4}-\\d{2}-\\d{2})?$' } as const;
const querystring = {
  type: 'object',
  properties: {
    user: { type: 'string', maxLength: 320 },
    type: { type: 'string', maxLength: 64, pattern: '^[a-z_.]*$' },
    ip: { type: 'string', maxLength: 64 },
    from: date,
    to: date,
    after: { type: 'string', maxLength: 200, pattern: '^(\\d{1,16}\\.[A-Za-z0-9_-]{1,100})?$' },
  },
} as const;

/** What a query asks for: a user by id or email, an event type, an IP, whole UTC days from and to (inclusive). */
function auditQueryFrom(query: AuditQuery): ConsoleAuditQuery {
  const wanted: ConsoleAuditQuery = {};
  const user = query.user?.trim() ?? '';
  if (user !== '') wanted.user = user;
  if (query.type !== undefined && query.type !== '') wanted.type = query.type;
  if (query.ip !== undefined && query.ip.trim() !== '') wanted.ip = query.ip.trim();
  if (query.from !== undefined && query.from !== '') wanted.fromMs = Date.parse(`${query.from}T00:00:00Z`);
  if (query.to !== undefined && query.to !== '') wanted.toMs = Date.parse(`${query.to}T00:00:00Z`) + dayMs;
  return wanted;
}

/** The query string of the filter alone (no cursor), for the next page and the export links. */
function filterQuery(query: AuditQuery): string {
  const params = new URLSearchParams();
  for (const key of ['user', 'type', 'ip', 'from', 'to'] as const) {
    const value = query[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  return params.toString();
}

/** GET /admin/audit (filtered, paged) and its streaming exports as CSV and JSON Lines. */
export function auditPages(app: FastifyInstance, deps: CoreDeps): void {
  const preHandler = operatorOnly(deps);

  app.get<{ Querystring: AuditQuery }>('/admin/audit', { preHandler, schema: { tags: ['pages'], summary: 'Console: the audit trail, filtered by user, event type, IP and days.', querystring } }, async (request, reply) => {
    const query = request.query;
    const cursor = query.after === undefined || query.after === '' ? undefined : { atMs: Number(query.after.slice(0, query.after.indexOf('.'))), id: query.after.slice(query.after.indexOf('.') + 1) };
    const events = await auditPage(deps, auditQueryFrom(query), pageSize + 1, cursor);
    const shown = events.slice(0, pageSize);
    const base = filterQuery(query);
    const last = shown.at(-1);
    const next = events.length > pageSize && last !== undefined ? `/admin/audit?${base}${base === '' ? '' : '&'}after=${last.atMs}.${encodeURIComponent(last.id)}` : null;
    const field = (name: keyof AuditQuery, label: string, type = 'text') =>
      html`<label for="audit-${name}">${label}</label><input id="audit-${name}" name="${name}" type="${type}" value="${query[name] ?? ''}" autocomplete="off">`;
    return sendConsolePage(reply, 200, operatorSession(request), {
      title: 'Audit',
      section: '/admin/audit',
      body: html`<section class="card" aria-labelledby="audit-title"><h1 id="audit-title">Audit</h1>
<form method="get" action="/admin/audit">${field('user', 'User (email or id)')}${field('type', 'Event type (e.g. login.failed)')}${field('ip', 'IP address')}${field('from', 'From (UTC day)', 'date')}${field('to', 'To (UTC day, inclusive)', 'date')}<button type="submit">Filter</button></form>
<p class="actions"><a href="/admin/audit/export.csv${base === '' ? '' : `?${base}`}" download>Export as CSV</a> <a href="/admin/audit/export.jsonl${base === '' ? '' : `?${base}`}" download>Export as JSON Lines</a></p>
</section>
<section class="card" aria-label="Entries">${auditTable(shown)}${next === null ? '' : html`<p><a href="${next}">Next page</a></p>`}</section>`,
    });
  });

  const exportRoute = (extension: 'csv' | 'jsonl', type: string, render: typeof auditCsv) =>
    app.get<{ Querystring: AuditQuery }>(
      `/admin/audit/export.${extension}`,
      { preHandler, schema: { tags: ['pages'], summary: `Console: the filtered audit trail as ${extension === 'csv' ? 'CSV' : 'JSON Lines'}, streamed page by page.`, querystring } },
      async (request: FastifyRequest<{ Querystring: AuditQuery }>, reply) => {
        const stamp = new Date(deps.clock.nowMs()).toISOString().replace(/[:.]/g, '-');
        return reply
          .header('content-type', type)
          .header('content-disposition', `attachment; filename="gatehouse-audit-${stamp}.${extension}"`)
          .header('cache-control', 'no-store')
          .send(render(auditEntries(deps, auditQueryFrom(request.query))));
      },
    );
  exportRoute('csv', 'text/csv; charset=utf-8', auditCsv);
  exportRoute('jsonl', 'application/jsonl; charset=utf-8', auditJsonLines);
}
