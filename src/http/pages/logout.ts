import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { logOut } from '../../core/sessions/log-out.ts';
import { clearSessionCookie, currentSession, requestContext } from '../session-cookie.ts';
import { html } from './html.ts';
import { redirectAfterPost, sendPage } from './layout.ts';

/** GET only asks; the POST logs out (no state change on GET). */
export function logoutPage(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/logout', { schema: { tags: ['pages'], summary: 'Log-out confirmation page.' } }, async (request, reply) => {
    const current = await currentSession(deps, request);
    if (current === null) return reply.redirect('/login');
    return sendPage(reply, 200, {
      title: 'Log out',
      signedInAs: current.user.email,
      body: html`<section class="card narrow"><h1>Log out?</h1>
<p>This ends the session on this device. Your other devices stay signed in.</p>
<form method="post" action="/logout"><button type="submit">Log out</button></form></section>`,
    });
  });
  app.post('/logout', { schema: { tags: ['pages'], summary: 'Log out this device.' } }, async (request, reply) => {
    const current = await currentSession(deps, request);
    if (current !== null) await logOut(deps, current, requestContext(request));
    clearSessionCookie(reply);
    return redirectAfterPost(reply, '/login?done=logged-out');
  });
}
