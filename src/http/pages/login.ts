import type { FastifyInstance } from 'fastify';
import { logIn } from '../../core/credentials/log-in.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { currentSession, requestContext, setSessionCookie } from '../session-cookie.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';

function loginForm(email: string, message?: string) {
  return html`<section class="card narrow" aria-labelledby="login-title">
<h1 id="login-title">Log in</h1>
${alert(message)}
<form method="post" action="/login">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>
<p class="muted">New here? <a href="/signup">Create an account</a></p>
</section>`;
}

export function loginPage(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/login', { schema: { tags: ['pages'], summary: 'Login page.' } }, async (request, reply) => {
    if ((await currentSession(deps, request)) !== null) return reply.redirect('/account');
    return sendPage(reply, 200, { title: 'Log in', body: loginForm('') });
  });
  // Login CSRF is refused by the origin check that guards every POST (plugins/csrf.ts).
  app.post('/login', { schema: { tags: ['pages'], summary: 'Login form submission.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const previous = await currentSession(deps, request);
    const input = { email, password: field(request.body, 'password'), ...(previous === null ? {} : { previousSessionId: previous.session.id }) };
    const result = await attempt(() => logIn(deps, input, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Log in', body: loginForm(email, result.message) });
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, '/account');
  });
}
