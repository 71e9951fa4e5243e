import type { FastifyInstance } from 'fastify';
import { confirmEmailChange } from '../../core/accounts/confirm-email-change.ts';
import { findLinkToken } from '../../core/accounts/link-token.ts';
import { requestEmailChange } from '../../core/accounts/request-email-change.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { AppConfig } from '../app-config.ts';
import { reauthProof } from '../reauth-proof.ts';
import { currentSession, requestContext } from '../session-cookie.ts';
import { renderAccount } from './account-view.ts';
import { devOutboxHint } from './dev-mail.ts';
import { attempt, field } from './forms.ts';
import { html } from './html.ts';
import { redirectAfterPost, sendPage } from './layout.ts';
import { redirectToReauth } from './reauth.ts';
import { signedIn, signedInSession } from './signed-in.ts';

const broken = html`<section class="card narrow" role="alert"><h1>This link does not work</h1><p>It is wrong, expired or already used. Links to confirm a new address work once, for a limited time.</p><p><a href="/account">Go to your account</a> to ask again.</p></section>`;

/**
 * Change of email address from /account (docs/security.md SEC-142, SEC-143): the form asks,
 * the link mailed to the new address lands on a page whose button confirms. Opening the link
 * (GET) changes nothing, so a mail scanner that follows links cannot confirm it.
 */
export function emailChangePages(app: FastifyInstance, deps: CoreDeps, config: AppConfig, oauth?: OAuthDeps): void {
  const preHandler = signedIn(deps, '/account');

  app.post('/account/email', { preHandler, schema: { tags: ['pages'], summary: 'Ask to change the email address (mails a link to the new one).' } }, async (request, reply) => {
    const current = signedInSession(request);
    const input = { newEmail: field(request.body, 'email'), proof: reauthProof({ password: field(request.body, 'password') }) };
    const result = await attempt(() => requestEmailChange(deps, current, input, requestContext(request)));
    if (!result.ok && result.code === 'reauthentication_required') return redirectToReauth(reply, '/account');
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
    return redirectAfterPost(reply, '/account/email/sent');
  });

  app.get('/account/email/sent', { preHandler, schema: { tags: ['pages'], summary: 'Check your inbox, after asking to change the address.' } }, async (request, reply) => {
    const current = signedInSession(request);
    return sendPage(reply, 200, {
      title: 'Check your new inbox',
      signedInAs: current.user.email,
      body: html`<section class="card narrow"><h1>Check your new inbox</h1>
<p class="notice" role="status">We mailed a link to the new address. Your address changes only when you open it and confirm; until then you keep using ${current.user.email}.</p>
${devOutboxHint(config)}
<p class="muted">We also sent a notice to ${current.user.email}. Confirming signs out your other devices. Nothing arrived? Check the spam folder, or ask again in a minute.</p>
<p><a href="/account">Back to your account</a></p></section>`,
    });
  });

  app.get<{ Querystring: { token?: unknown } }>('/account/email/confirm', { schema: { tags: ['pages'], summary: 'The link mailed to a new address: a page whose button confirms the change.' } }, async (request, reply) => {
    const token = typeof request.query.token === 'string' ? request.query.token : '';
    const record = await findLinkToken(deps, token, 'change_email');
    const signedInAs = (await currentSession(deps, request))?.user.email;
    if (record === null) return sendPage(reply, 400, { title: 'Link expired', ...(signedInAs === undefined ? {} : { signedInAs }), body: broken });
    return sendPage(reply, 200, {
      title: 'Confirm your new email address',
      ...(signedInAs === undefined ? {} : { signedInAs }),
      body: html`<section class="card narrow"><h1>Confirm your new email address</h1>
<p>Your account will use <strong>${record.email}</strong> from now on, and your other devices will be signed out.</p>
<p class="muted">One more click confirms it. Opening the link changes nothing by itself, so a mail scanner that follows links cannot confirm it on your behalf.</p>
<form method="post" action="/account/email/confirm"><input type="hidden" name="token" value="${token}"><button type="submit">Confirm my new email address</button></form></section>`,
    });
  });

  app.post('/account/email/confirm', { schema: { tags: ['pages'], summary: 'Confirm a change of email address.' } }, async (request, reply) => {
    const current = await currentSession(deps, request);
    const result = await attempt(() => confirmEmailChange(deps, field(request.body, 'token'), current, requestContext(request)));
    if (!result.ok && result.code === 'invalid_link') return sendPage(reply, 400, { title: 'Link expired', body: broken });
    if (!result.ok) return sendPage(reply, result.status, { title: 'The address was not changed', body: html`<section class="card narrow" role="alert"><h1>The address was not changed</h1><p>${result.message}</p><p><a href="/account">Go to your account</a></p></section>` });
    return redirectAfterPost(reply, result.value.keptSessionId === null ? '/login?done=email-changed' : '/account?done=email-changed');
  });
}
