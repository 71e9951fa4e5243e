import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import { html } from '../html.ts';
import { operatorOnly, operatorSession } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';

/** GET /admin: the console's start page. */
export function dashboardPage(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/admin', { preHandler: operatorOnly(deps), schema: { tags: ['pages'], summary: 'Operator console: dashboard (operators with a second factor only; 404 for anyone else).' } }, async (request, reply) => {
    const operator = operatorSession(request);
    return sendConsolePage(reply, 200, operator, {
      title: 'Dashboard',
      section: '/admin',
      body: html`<section class="card" aria-labelledby="console-title"><h1 id="console-title">Operator console</h1>
<p>Signed in as an operator. The console locks after ${String(Math.round(deps.sessionPolicy.consoleIdleTimeoutMs / 60_000))} minutes without use.</p></section>`,
    });
  });
}
