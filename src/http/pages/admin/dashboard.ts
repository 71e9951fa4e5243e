import type { FastifyInstance } from 'fastify';
import { dashboardFigures, lockedAccountsCap } from '../../../core/console/dashboard-figures.ts';
import type { CoreDeps } from '../../../core/deps.ts';
import type { ConsoleConfig } from '../../app-config.ts';
import { html, type SafeHtml } from '../html.ts';
import { operatorOnly, operatorSession } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';

const figure = (label: string, value: string | number, link?: string): SafeHtml =>
  html`<div class="figure"><dt>${label}</dt><dd>${link === undefined ? String(value) : html`<a href="${link}">${String(value)}</a>`}</dd></div>`;

/** GET /admin: the console's start page, a few counts the store makes (never a list loaded whole). */
export function dashboardPage(app: FastifyInstance, deps: CoreDeps, consoleConfig: ConsoleConfig): void {
  app.get('/admin', { preHandler: operatorOnly(deps), schema: { tags: ['pages'], summary: 'Operator console: dashboard (operators with a second factor only; 404 for anyone else).' } }, async (request, reply) => {
    const f = await dashboardFigures(deps);
    const mail = consoleConfig.mailQueue?.();
    const webhook = f.deliveries.webhook;
    const backchannel = f.deliveries.backchannel_logout;
    return sendConsolePage(reply, 200, operatorSession(request), {
      title: 'Dashboard',
      section: '/admin',
      body: html`<section class="card" aria-labelledby="console-title"><h1 id="console-title">Operator console</h1>
<dl class="figures">
${figure('Users', f.users, '/admin/users')}
${figure('Active sessions', f.activeSessions)}
${figure('Logins, last 24 hours', f.loginsSucceeded, '/admin/audit?type=login.succeeded')}
${figure('Failed logins, last 24 hours', f.loginsFailed, '/admin/audit?type=login.failed')}
${figure('Locked accounts now', f.lockedAccounts >= lockedAccountsCap ? `${lockedAccountsCap}+` : f.lockedAccounts)}
${figure('Mail queue (sending, given up)', mail === undefined ? 'not running' : `${mail.pending}, ${mail.failed}`)}
${figure('Webhook backlog (pending, dead)', webhook === undefined ? '0, 0' : `${webhook.pending}, ${webhook.dead}`, '/admin/webhooks')}
${figure('Back-channel logout backlog (pending, dead)', backchannel === undefined ? '0, 0' : `${backchannel.pending}, ${backchannel.dead}`)}
</dl>
<p class="muted">The console locks after ${String(Math.round(deps.sessionPolicy.consoleIdleTimeoutMs / 60_000))} minutes without use. Locked accounts are counted from the failure counters, in Redis when it holds them.</p></section>`,
    });
  });
}
