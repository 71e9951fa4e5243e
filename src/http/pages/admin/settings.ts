import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import type { ConsoleConfig } from '../../app-config.ts';
import { html } from '../html.ts';
import { operatorOnly, operatorSession } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';

/** GET /admin/settings: every setting as it is in effect; secrets show only a mark (src/config/effective-settings.ts). */
export function settingsPage(app: FastifyInstance, deps: CoreDeps, consoleConfig: ConsoleConfig): void {
  app.get('/admin/settings', { preHandler: operatorOnly(deps), schema: { tags: ['pages'], summary: 'Console: the effective configuration, secrets redacted.' } }, async (request, reply) => {
    const rows = consoleConfig.settings ?? [];
    return sendConsolePage(reply, 200, operatorSession(request), {
      title: 'Settings',
      section: '/admin/settings',
      body: html`<section class="card" aria-labelledby="settings-title"><h1 id="settings-title">Settings</h1>
<p class="muted">As this instance runs them (from the environment and the config file; see docs/configuration.md). Change them there and restart.</p>
${
  rows.length === 0
    ? html`<p class="muted">Not available in this process.</p>`
    : html`<table class="stack"><thead><tr><th scope="col">Setting</th><th scope="col">Environment variable</th><th scope="col">Value</th></tr></thead><tbody>${rows.map(
        (r) => html`<tr><td><code>${r.path}</code></td><td data-label="Variable"><code>${r.env}</code></td><td data-label="Value">${r.secret ? html`<span class="muted">${r.value}</span>` : r.value === '' ? html`<span class="muted">(empty)</span>` : r.value}</td></tr>`,
      )}</tbody></table>`
}</section>`,
    });
  });
}
