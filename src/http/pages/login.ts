import type { FastifyInstance } from 'fastify';
import { logIn } from '../../core/credentials/log-in.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { AppConfig } from '../app.ts';
import { safeReturnTo } from '../return-to.ts';
import { currentSession, requestContext, setSessionCookie } from '../session-cookie.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';

// Chosen by key; the query string is never echoed into the page.
const notices: Record<string, string> = {
  verified: 'Your email address is confirmed. Log in.',
  reset: 'Your new password is set and every device was signed out. Log in with it.',
};

function loginForm(email: string, returnTo: string, message?: string, notice?: string) {
  return html`<section class="card narrow" aria-labelledby="login-title">
<h1 id="login-title">Log in</h1>
${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}${alert(message)}
<form method="post" action="/login">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>
<p class="muted"><a href="/forgot">Forgot your password?</a></p>
<p class="muted">New here? <a href="/signup?return_to=${encodeURIComponent(returnTo)}">Create an account</a></p>
</section>`;
}

export function loginPage(app: FastifyInstance, deps: CoreDeps, config: AppConfig): void {
  const target = (value: unknown): string => safeReturnTo(typeof value === 'string' ? value : undefined, config.publicUrl, config.allowedReturnOrigins);
  app.get<{ Querystring: { return_to?: unknown; done?: unknown } }>('/login', { schema: { tags: ['pages'], summary: 'Login page.' } }, async (request, reply) => {
    if ((await currentSession(deps, request)) !== null) return reply.redirect(target(request.query.return_to));
    const notice = typeof request.query.done === 'string' ? notices[request.query.done] : undefined;
    return sendPage(reply, 200, { title: 'Log in', body: loginForm('', target(request.query.return_to), undefined, notice) });
  });
  // Login CSRF is refused by the origin check that guards every POST (plugins/csrf.ts).
  app.post('/login', { schema: { tags: ['pages'], summary: 'Login form submission.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const previous = await currentSession(deps, request);
    const input = { email, password: field(request.body, 'password'), ...(previous === null ? {} : { previousSession: previous }) };
    const result = await attempt(() => logIn(deps, input, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Log in', body: loginForm(email, target(field(request.body, 'return_to')), result.message) });
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, target(field(request.body, 'return_to')));
  });
}
