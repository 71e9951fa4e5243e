import type { FastifyInstance } from 'fastify';
import { requestVerificationEmail } from '../../core/accounts/request-verification-email.ts';
import { verifyEmail } from '../../core/accounts/verify-email.ts';
import { findLinkToken } from '../../core/accounts/link-token.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { requestContext } from '../session-cookie.ts';
import type { AppConfig } from '../app-config.ts';
import { devOutboxHint } from './dev-mail.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';

// Chosen by key; the query string is never echoed into the page.
const sentNotices: Record<string, string> = {
  signup: 'Check your inbox: we sent you a mail. Open the link in it to confirm your address, then log in.',
  'passkey-signup': 'Check your inbox: we sent you a mail. Open the link in it to confirm your address and create your passkey.',
  resend: 'If that address has an account waiting for confirmation, a new link is on its way. Check your inbox.',
};

function resendForm(message?: string) {
  return html`<section class="card narrow" aria-labelledby="resend-title">
<h2 id="resend-title">No mail?</h2>
${alert(message)}
<p class="muted">Check your spam folder, or ask for a new link (at most one a minute).</p>
<form method="post" action="/verify/resend">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required>
  <button type="submit">Send a new link</button>
</form>
</section>`;
}

/**
 * /verify: the link from the mail. Opening it (GET) changes nothing, so a mail scanner that
 * follows links cannot use it up; the button posts the token, which confirms the address.
 */
export function verifyPage(app: FastifyInstance, deps: CoreDeps, config: AppConfig): void {
  app.get<{ Querystring: { token?: unknown; sent?: unknown } }>('/verify', { schema: { tags: ['pages'], summary: 'Email verification page.' } }, async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    if (token === '') {
      const notice = typeof request.query.sent === 'string' ? sentNotices[request.query.sent] : undefined;
      return sendPage(reply, 200, {
        title: 'Confirm your email',
        body: html`<section class="card narrow"><h1>Confirm your email</h1>${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>${devOutboxHint(config)}`}</section>${resendForm()}`,
      });
    }
    if ((await findLinkToken(deps, token, 'verify_email')) === null) {
      return sendPage(reply, 400, { title: 'Link expired', body: html`<section class="card narrow" role="alert"><h1>This link does not work</h1><p>It is wrong, expired or already used.</p></section>${resendForm()}` });
    }
    return sendPage(reply, 200, {
      title: 'Confirm your email',
      body: html`<section class="card narrow"><h1>Confirm your email</h1>
<p>One more click confirms the address. Opening the link changes nothing by itself, so a mail scanner that follows links cannot confirm it on your behalf.</p>
<form method="post" action="/verify"><input type="hidden" name="token" value="${token}"><button type="submit">Confirm my email address</button></form></section>`,
    });
  });

  app.post('/verify', { schema: { tags: ['pages'], summary: 'Confirm an email address.' } }, async (request, reply) => {
    const result = await attempt(() => verifyEmail(deps, field(request.body, 'token'), requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Link expired', body: html`<section class="card narrow" role="alert"><h1>This link does not work</h1><p>${result.message}</p></section>${resendForm()}` });
    return redirectAfterPost(reply, '/login?done=verified');
  });

  app.post('/verify/resend', { schema: { tags: ['pages'], summary: 'Mail a new verification link.' } }, async (request, reply) => {
    const result = await attempt(() => requestVerificationEmail(deps, field(request.body, 'email'), requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Confirm your email', body: resendForm(result.message) });
    return redirectAfterPost(reply, '/verify?sent=resend');
  });
}
