import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { finishPasskeySignup, requestPasskeySignup, startPasskeySignup } from '../../core/passkeys/passkey-signup.ts';
import { clearPasskeySignupCookie, readPasskeySignupToken, setPasskeySignupCookie, takePasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { currentSession, requestContext, setSessionCookie } from '../session-cookie.ts';
import { attempt, field } from './forms.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { offerPasskey, passkeyRegisterForm, postedAnswer } from './passkey-forms.ts';

function emailForm(email: string, message?: string) {
  return html`<section class="card narrow" aria-labelledby="passkey-signup-title">
<h1 id="passkey-signup-title">Sign up with a passkey</h1>
${alert(message)}
<p>No password: we mail you a link to confirm your address, then your browser or phone makes a passkey for this site.</p>
<form method="post" action="/signup/passkey">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <button type="submit">Send me the link</button>
</form>
<p class="muted"><a href="/signup">Sign up with a password instead</a> · <a href="/login">Log in</a></p>
</section>`;
}

async function renderFinish(deps: CoreDeps, reply: FastifyReply, token: string | undefined, status: number, message?: string): Promise<FastifyReply> {
  const started = token === undefined ? null : await attempt(() => startPasskeySignup(deps, token));
  if (started === null || !started.ok) {
    clearPasskeySignupCookie(reply);
    return sendPage(reply, 400, {
      title: 'Link not valid',
      body: html`<section class="card narrow"><h1>This link is not valid</h1><p>It has expired, was already used, or its address has an account now. <a href="/signup/passkey">Start again</a> or <a href="/login">log in</a>.</p></section>`,
    });
  }
  offerPasskey(reply, started.value.ceremonyToken);
  return sendPage(reply, status, {
    title: 'Create your passkey',
    body: html`<section class="card narrow" aria-labelledby="create-passkey-title">
<h1 id="create-passkey-title">Create your passkey</h1>
${alert(message)}
<p>Your address <strong>${started.value.email}</strong> is confirmed. Now your browser or phone makes the passkey you will log in with.</p>
${passkeyRegisterForm(started.value.options, '/signup/passkey/finish')}
<noscript><p class="alert">Creating a passkey needs JavaScript.</p></noscript>
</section>`,
  });
}

/**
 * Passkey-only sign-up: the address first (a mailed link), then the passkey instead of a
 * password (docs/security.md SEC-185). The link's token moves from the URL into an HttpOnly
 * cookie at once, and the account is made only with its verified first passkey.
 */
export function passkeySignupPages(app: FastifyInstance, deps: CoreDeps): void {
  app.get('/signup/passkey', { schema: { tags: ['pages'], summary: 'Sign up with a passkey: the address.' } }, async (request, reply) => {
    if ((await currentSession(deps, request)) !== null) return reply.redirect('/account');
    return sendPage(reply, 200, { title: 'Sign up with a passkey', body: emailForm('') });
  });

  app.post('/signup/passkey', { schema: { tags: ['pages'], summary: 'Sign up with a passkey: mail the link.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const result = await attempt(() => requestPasskeySignup(deps, email, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Sign up with a passkey', body: emailForm(email, result.message) });
    // The same page whether the address was new or already had an account (docs/security.md SEC-47).
    return redirectAfterPost(reply, '/verify?sent=passkey-signup');
  });

  app.get<{ Querystring: { token?: unknown } }>('/signup/passkey/finish', { schema: { tags: ['pages'], summary: 'Sign up with a passkey: create it (the mailed link leads here).' } }, async (request, reply) => {
    if (typeof request.query.token === 'string' && request.query.token !== '') {
      setPasskeySignupCookie(reply, request.query.token);
      return reply.redirect('/signup/passkey/finish', 303);
    }
    return renderFinish(deps, reply, readPasskeySignupToken(request), 200);
  });

  app.post('/signup/passkey/finish', { schema: { tags: ['pages'], summary: 'Sign up with a passkey: the browser’s answer makes the account.' } }, async (request, reply) => {
    const token = readPasskeySignupToken(request);
    const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
    const response = postedAnswer<RegistrationResponseJSON>(field(request.body, 'response'));
    const result = await attempt(async () => {
      if (token === undefined) throw new AuthError('invalid_link');
      if (response === null) throw new AuthError('passkey_registration_failed');
      return finishPasskeySignup(deps, { token, ceremonyToken, name: field(request.body, 'name'), response }, requestContext(request));
    });
    if (!result.ok) return renderFinish(deps, reply, token, result.status, result.message);
    clearPasskeySignupCookie(reply);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, '/account?done=passkey-added');
  });
}
