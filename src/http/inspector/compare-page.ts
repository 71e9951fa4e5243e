import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { createAccount } from '../../core/accounts/create-account.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import { redirectAfterPost, sendPage } from '../pages/layout.ts';
import { sendConsolePage } from '../pages/admin/console-layout.ts';
import { operatorSession } from '../pages/operator-only.ts';
import { requestContext } from '../session-cookie.ts';
import type { CompareColumn, CompareContext } from './compare-measure.ts';
import { measureJwt } from './compare-jwt.ts';
import { measureOidc } from './compare-oidc.ts';
import { measureServerSession } from './compare-session.ts';
import type { InspectorAudience } from './inspector-access.ts';
import { inspectorAccess, inspectorBasePath } from './inspector-access.ts';
import type { RequestRecorder } from './request-recorder.ts';

/**
 * "Compare the three, measured live": the same kind of login as a server session, a JWT with a
 * refresh token, and an OpenID Connect login at the demo IdP, measured on this server now.
 *
 * It costs a bounded amount and cannot be turned into load (docs/security.md SEC-256): only the
 * inspector's audience may run it (dev mode, or operators), by a same-origin POST; one run at a
 * time and at most one every `cooldownMs`; a fixed number of timed checks; a throwaway account and
 * throwaway clients, deleted afterwards.
 */

const iterations = 200;
const cooldownMs = 10_000;

interface CompareResult {
  atMs: number;
  durationMs: number;
  columns: CompareColumn[];
}

const figure = (value: number | null, unit: string): string => (value === null ? 'not measured' : `${String(value)} ${unit}`);

function resultView(result: CompareResult): SafeHtml {
  const cells = (render: (column: CompareColumn) => SafeHtml): SafeHtml[] =>
    result.columns.map((column) => html`<td data-label="${column.name}">${column.error === undefined ? render(column) : html`<span class="muted">${column.error}</span>`}</td>`);
  const list = (items: string[]): SafeHtml => html`<ul class="values">${items.map((item) => html`<li>${item}</li>`)}</ul>`;
  const rows: Array<[string, (column: CompareColumn) => SafeHtml]> = [
    ['What the server stores', (c) => list(c.serverStores)],
    ['What the client holds', (c) => list(c.clientHolds)],
    ['Login, end to end', (c) => html`<strong>${figure(c.loginMs, 'ms')}</strong><br><span class="muted">${c.loginNote}</span>`],
    ['Work per authenticated request', (c) => html`<strong>${figure(c.workMicros, 'µs')}</strong><br><span class="muted">${c.workNote}</span>`],
    ['How long a logout takes to bite', (c) => html`<strong>${figure(c.logoutMs, 'ms')}</strong><br><span class="muted">${c.logoutNote}</span>`],
    ['The scaling story', (c) => html`${c.scaling}`],
  ];
  return html`<section class="card" aria-labelledby="result-heading"><h2 id="result-heading">Measured at <time datetime="${new Date(result.atMs).toISOString()}">${new Date(result.atMs).toISOString().replace('T', ' ').slice(0, 19)} UTC</time></h2>
<p class="muted">The whole run took ${String(result.durationMs)} ms. Work per request is the mean of ${String(iterations)} checks, in this process, now.</p>
<table class="stack compare"><thead><tr><th scope="col">Aspect</th>${result.columns.map((c) => html`<th scope="col">${c.name}</th>`)}</tr></thead>
<tbody>${rows.map(([label, render]) => html`<tr><th scope="row">${label}</th>${cells(render)}</tr>`)}</tbody></table></section>`;
}

export interface ComparePageOptions {
  recorder: RequestRecorder;
  audience: InspectorAudience;
  tokens: TokenDeps;
  oauth: OAuthDeps | undefined;
}

/** GET shows the last result and the button; POST runs a comparison (bounded) and comes back. */
export function comparePage(app: FastifyInstance, deps: CoreDeps, options: ComparePageOptions): void {
  const access = inspectorAccess(deps, options.audience);
  const base = inspectorBasePath(options.audience);
  let last: CompareResult | null = null;
  let running = false;
  let lastStartedAtMs = -Infinity;

  app.get(`${base}/compare`, { preHandler: access, schema: { tags: ['pages'], summary: 'Session, JWT and OAuth side by side, measured live on this server.' } }, async (request, reply) => {
    const body = html`<section class="card inspector-intro"><h1>Session, JWT and OAuth, measured live</h1>
<p>One press runs a throwaway account through a server session, a JWT access token with a rotating refresh token, and an OpenID Connect login at the demo IdP, then shows side by side what each stores, what the client holds, the work each authenticated request costs and how long a logout takes to bite, all measured on this server at that moment.</p>
<p>Watch the runs step by step in the <a href="${base}">inspector</a>.</p>
<form method="post" action="${base}/compare"><button type="submit">Run the comparison</button></form></section>
${last === null ? html`<p class="card">No comparison has run yet.</p>` : resultView(last)}`;
    const title = 'Compare, measured live';
    // Inside the console (GATEHOUSE_INSPECTOR=admins) with its navigation; a page of its own in dev mode.
    return options.audience === 'operators' ? sendConsolePage(reply, 200, operatorSession(request), { title, section: base, body }) : sendPage(reply, 200, { title, body });
  });

  app.post(`${base}/compare`, { preHandler: access, schema: { tags: ['pages'], summary: 'Runs the comparison (one at a time, at most one every 10 s).' } }, async (request, reply) => {
    const nowMs = deps.clock.nowMs();
    if (running || nowMs - lastStartedAtMs < cooldownMs) throw new AuthError('compare_busy', { retryAfterSeconds: Math.max(1, Math.ceil((lastStartedAtMs + cooldownMs - nowMs) / 1000)) });
    running = true;
    lastStartedAtMs = nowMs;
    const context: CompareContext = { app, deps, recorder: options.recorder, iterations };
    const email = `inspector-compare-${randomBytes(6).toString('hex')}@example.com`;
    // Random and never shown: the throwaway account lives for this run only.
    const password = randomBytes(24).toString('base64url');
    const user = await createAccount(deps, { email, password }, requestContext(request));
    const startedAt = performance.now();
    try {
      const columns: CompareColumn[] = [];
      const measures: Array<[string, () => Promise<CompareColumn>]> = [
        ['Server session', () => measureServerSession(context, email, password)],
        ['JWT + refresh token', () => measureJwt(context, options.tokens, email, password)],
        ['OAuth / OpenID Connect (demo IdP)', () => measureOidc(context, options.oauth)],
      ];
      for (const [name, measure] of measures) {
        columns.push(await measure().catch((error: unknown): CompareColumn => ({ name, loginMs: null, loginNote: '', serverStores: [], clientHolds: [], workMicros: null, workNote: '', logoutMs: null, logoutNote: '', scaling: '', error: error instanceof Error ? error.message : String(error) })));
      }
      last = { atMs: nowMs, durationMs: Math.round(performance.now() - startedAt), columns };
    } finally {
      await deps.store.users.delete(user.id);
      running = false;
    }
    return redirectAfterPost(reply, `${base}/compare`);
  });
}
