import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { AuthError } from '../../core/errors.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { Trace } from '../../core/trace/trace-log.ts';
import { html } from '../pages/html.ts';
import { sendPage } from '../pages/layout.ts';
import { sendConsolePage } from '../pages/admin/console-layout.ts';
import { operatorSession } from '../pages/operator-only.ts';
import { pageContentSecurityPolicy } from '../plugins/security-headers.ts';
import { inspectorAccess, inspectorBasePath, mayStillWatch, type InspectorAudience } from './inspector-access.ts';
import { presentTrace } from './present-trace.ts';
import type { RequestRecorder } from './request-recorder.ts';
import { traceView } from './trace-view.ts';

/**
 * The inspector page allows our own script and a connection back to our own origin (the stream),
 * nothing else: no inline script, no other origin (docs/security.md SEC-254).
 */
export const inspectorPageContentSecurityPolicy = `${pageContentSecurityPolicy}; script-src 'self'; connect-src 'self'`;

const inspectorScript = readFileSync(new URL('./inspector.js', import.meta.url), 'utf8');
const pageTraces = 30;
const heartbeatMs = 15_000;

export interface InspectorOptions {
  recorder: RequestRecorder;
  audience: InspectorAudience;
  /** How often an open stream checks that its viewer may still watch (SEC-257); default 5 s. */
  accessRecheckMs?: number;
}

function streamEvent(trace: Trace): string {
  const presented = presentTrace(trace);
  return `id: ${String(trace.seq)}\nevent: trace\ndata: ${JSON.stringify({ trace: presented, html: traceView(presented).value })}\n\n`;
}

/**
 * The page, `<base>/traces` (JSON) and `<base>/stream` (Server-Sent Events), at /dev/inspector in
 * dev mode and at /admin/inspector, inside the operator console, with `admins`.
 */
export function inspectorRoutes(app: FastifyInstance, deps: CoreDeps, { recorder, audience, accessRecheckMs = 5_000 }: InspectorOptions): void {
  const access = inspectorAccess(deps, audience);
  const base = inspectorBasePath(audience);
  const { log } = recorder;
  // Open streams end when the server closes, so a watching browser never holds shutdown up.
  const streams = new Set<ServerResponse>();
  app.addHook('onClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get('/assets/inspector.js', { schema: { tags: ['pages'], summary: 'The live updates of the inspector page.' } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(inspectorScript),
  );

  app.get(base, { preHandler: access, schema: { tags: ['pages'], summary: 'The inspector: every step of every login, live.' } }, async (request, reply) => {
    const traces = log.list(pageTraces).map((trace) => traceView(presentTrace(trace)));
    reply.header('content-security-policy', inspectorPageContentSecurityPolicy);
    const body = html`<section class="card inspector-intro"><h1>Inspector</h1>
<p>Every request to this server, step by step: the cookies that arrived (names only), the origin check, each decision, the rows written, the cookies set with the reason for each attribute, the tokens and their checks. Secrets never appear: a stored hash shows as <code>sha256:</code> and 8 hex digits.</p>
<p>Log in, sign up or refresh a token in another tab or browser and watch it here. Each browser is one flow, told apart by a random flow id (the <code>__Host-gatehouse_flow</code> cookie), which is derived from no secret.</p>
<p><a href="${base}/compare">Compare a session, a JWT and an OAuth login, measured live</a> · <a href="${base}/traces?limit=50">JSON</a></p>
<p class="muted" data-live-status role="status">Showing the last ${String(pageTraces)} traces. Reload for newer ones.</p>
</section>
<section aria-labelledby="traces-heading"><h2 id="traces-heading">Latest traces, newest first</h2>
<div data-traces data-stream="${base}/stream">${traces.length === 0 ? html`<p class="card" data-empty>Nothing traced yet.</p>` : traces}</div></section>
<script src="/assets/inspector.js" defer></script>`;
    return audience === 'operators'
      ? sendConsolePage(reply, 200, operatorSession(request), { title: 'Inspector', section: base, body })
      : sendPage(reply, 200, { title: 'Inspector', body });
  });

  app.get<{ Querystring: { limit?: string } }>(
    `${base}/traces`,
    {
      preHandler: access,
      schema: {
        tags: ['inspector'],
        summary: 'The latest traces, newest first.',
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } } },
      },
    },
    async (request) => {
      const limit = Math.min(Math.max(Number(request.query.limit ?? 50), 1), log.limits.traces);
      return { traces: log.list(limit).map(presentTrace) };
    },
  );

  app.get(`${base}/stream`, { preHandler: access, schema: { tags: ['inspector'], summary: 'New traces as Server-Sent Events (event: trace).' } }, async (request, reply) => {
    const raw = reply.raw;
    const lastSeen = Number(request.headers['last-event-id']);
    const unsubscribe = log.subscribe((trace) => raw.write(streamEvent(trace)));
    if (unsubscribe === null) throw new AuthError('too_many_requests', { detail: 'Too many inspector streams are open; close one.' });
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // A reconnecting client (Last-Event-ID) gets what it missed, if the buffer still has it.
    if (Number.isSafeInteger(lastSeen)) for (const trace of log.list(log.limits.traces).reverse()) if (trace.seq > lastSeen) raw.write(streamEvent(trace));
    raw.write(`event: ready\ndata: {}\n\n`);
    const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatMs);
    // The door was checked once; the stream goes on. With `admins`, an operator signed out,
    // revoked (session or rights), without a second factor or idle past the console lock stops
    // receiving other people's logins within one check (SEC-257); a failed check ends it too.
    const recheck =
      audience === 'everyone'
        ? undefined
        : setInterval(() => {
            void mayStillWatch(deps, audience, request).then(
              (allowed) => allowed || end(),
              () => end(),
            );
          }, accessRecheckMs);
    const stop = (): void => {
      clearInterval(heartbeat);
      if (recheck !== undefined) clearInterval(recheck);
      unsubscribe();
      streams.delete(raw);
    };
    const end = (): void => {
      stop();
      raw.end();
    };
    streams.add(raw);
    request.raw.on('close', stop);
  });
}
