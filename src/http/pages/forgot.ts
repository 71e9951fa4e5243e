import type { FastifyInstance } from 'fastify';
import { requestPasswordReset } from '../../core/accounts/request-password-reset.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { requestContext } from '../session-cookie.ts';
import type { AppConfig } from '../app-config.ts';
import { devOutboxHint } from './dev-mail.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';

function forgotForm(email: string, message?: string) {
  return html`<section class="card narrow" aria-labelledby="forgot-title">
<h1 id="forgot-title">Reset your password</h1>
${alert(message)}
<p class="muted">We'll mail you a link to choose a new password. It works for 30 minutes, once.</p>
<form method="post" action="/forgot">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <button type="submit">Mail me a link</button>
</form>
<p class="muted"><a href="/login">Back to log in</a></p>
</section>`;
}

/** /forgot: ask for a reset link. The page after it is the same whether or not the address has an account. */
export function forgotPage(app: FastifyInstance, deps: CoreDeps, config: AppConfig): void {
  app.get<{ Querystring: { sent?: unknown } }>('/forgot', { schema: { tags: ['pages'], summary: 'Forgot-password page.' } }, async (request, reply) => {
    if (request.query.sent !== undefined) {
      return sendPage(reply, 200, {
        title: 'Check your inbox',
        body: html`<section class="card narrow"><h1>Check your inbox</h1><p class="notice" role="status">We sent a mail to the address you gave. If it has an account, the mail has a link to choose a new password.</p>${devOutboxHint(config)}<p class="muted">Nothing arrived after a few minutes? Check your spam folder, or <a href="/forgot">try again</a>.</p></section>`,
      });
    }
    return sendPage(reply, 200, { title: 'Reset your password', body: forgotForm('') });
  });
  app.post('/forgot', { schema: { tags: ['pages'], summary: 'Ask for a password reset link.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const result = await attempt(() => requestPasswordReset(deps, email, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Reset your password', body: forgotForm(email, result.message) });
    return redirectAfterPost(reply, '/forgot?sent=1');
  });
}
