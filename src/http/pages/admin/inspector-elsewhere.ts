import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../../core/deps.ts';
import { html } from '../html.ts';
import { operatorOnly, operatorSession } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';

/**
 * GET /admin/inspector when the inspector is not in the console: in dev mode it points at
 * /dev/inspector; otherwise it says the inspector is off and how to turn it on for operators
 * (GATEHOUSE_INSPECTOR=admins, which serves the inspector here instead).
 */
export function inspectorElsewherePage(app: FastifyInstance, deps: CoreDeps, devInspectorOn: boolean): void {
  app.get('/admin/inspector', { preHandler: operatorOnly(deps), schema: { tags: ['pages'], summary: 'Console: where the inspector is, or how to turn it on.' } }, async (request, reply) =>
    sendConsolePage(reply, 200, operatorSession(request), {
      title: 'Inspector',
      section: '/admin/inspector',
      body: devInspectorOn
        ? html`<section class="card"><h1>Inspector</h1><p>In dev mode the inspector is open to everyone on this machine at <a href="/dev/inspector">/dev/inspector</a>.</p></section>`
        : html`<section class="card"><h1>Inspector</h1><p>The inspector is off, and nothing is recorded. To watch every step of every login here, for signed-in operators only, set <code>GATEHOUSE_INSPECTOR=admins</code> and restart (see docs/configuration.md).</p></section>`,
    }),
  );
}
