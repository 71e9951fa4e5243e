import type { FastifyInstance } from 'fastify';
import { findLinkToken } from '../../core/accounts/link-token.ts';
import { resetPassword } from '../../core/accounts/reset-password.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { clearSessionCookie, readSessionToken, requestContext } from '../session-cookie.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';

function resetForm(deps: CoreDeps, token: string, message?: string) {
  const min = deps.passwordPolicy.minLength;
  return html`<section class="card narrow" aria-labelledby="reset-title">
<h1 id="reset-title">Choose a new password</h1>
${alert(message)}
<form method="post" action="/reset">
  <input type="hidden" name="token" value="${token}">
  <label for="new-password">New password <span class="hint" id="new-password-hint">At least ${min} characters. Every device will be signed out.</span></label>
  <input id="new-password" name="newPassword" type="password" autocomplete="new-password" minlength="${min}" required aria-describedby="new-password-hint">
  <button type="submit">Set new password</button>
</form>
</section>`;
}

const expired = html`<section class="card narrow" role="alert"><h1>This link does not work</h1><p>It is wrong, expired or already used. Reset links work for 30 minutes, once.</p><p><a href="/forgot">Ask for a new link</a></p></section>`;

/** /reset: the link from the reset mail. GET shows the form (the token is not used up); POST sets the password. */
export function resetPage(app: FastifyInstance, deps: CoreDeps): void {
  app.get<{ Querystring: { token?: unknown } }>('/reset', { schema: { tags: ['pages'], summary: 'Password reset page.' } }, async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    if ((await findLinkToken(deps, token, 'password_reset')) === null) return sendPage(reply, 400, { title: 'Link expired', body: expired });
    return sendPage(reply, 200, { title: 'Choose a new password', body: resetForm(deps, token) });
  });
  app.post('/reset', { schema: { tags: ['pages'], summary: 'Set a new password from a reset link.' } }, async (request, reply) => {
    const token = field(request.body, 'token');
    const result = await attempt(() => resetPassword(deps, { token, newPassword: field(request.body, 'newPassword') }, requestContext(request)));
    if (!result.ok) {
      if (result.status === 400 && (await findLinkToken(deps, token, 'password_reset')) === null) return sendPage(reply, 400, { title: 'Link expired', body: expired });
      return sendPage(reply, result.status, { title: 'Choose a new password', body: resetForm(deps, token, result.message) });
    }
    // Every session of the account ended, this browser's too if it had one: it logs in afresh.
    if (readSessionToken(request) !== undefined) clearSessionCookie(reply);
    return redirectAfterPost(reply, '/login?done=reset');
  });
}
