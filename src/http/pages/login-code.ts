import type { FastifyInstance } from 'fastify';
import { logInWithEmailCode, requestLoginCode } from '../../core/credentials/email-code-login.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { AppConfig } from '../app-config.ts';
import { safeReturnTo } from '../return-to.ts';
import { currentSession, requestContext, setPendingLoginCookie, setSessionCookie } from '../session-cookie.ts';
import { devOutboxHint } from './dev-mail.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';

function emailForm(returnTo: string, email: string, message?: string) {
  return html`<section class="card narrow" aria-labelledby="code-title">
<h1 id="code-title">Log in with a code</h1>
${alert(message)}
<p class="muted">We'll mail you a one-time code. No password needed.</p>
<form method="post" action="/login/code">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <button type="submit">Mail me a code</button>
</form>
<p class="muted"><a href="/login">Log in with your password instead</a></p>
</section>`;
}

function codeForm(config: AppConfig, returnTo: string, email: string, message?: string) {
  return html`<section class="card narrow" aria-labelledby="code-title">
<h1 id="code-title">Enter your code</h1>
${message === undefined ? html`<p class="notice" role="status">If ${email} has an account, a code is on its way. It works for 10 minutes.</p>${devOutboxHint(config)}` : alert(message)}
<form method="post" action="/login/code/verify">
  <input type="hidden" name="return_to" value="${returnTo}">
  <input type="hidden" name="email" value="${email}">
  <label for="code">Code</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6,8}" maxlength="8" required>
  <button type="submit">Log in</button>
</form>
<p class="muted"><a href="/login/code">Send a new code</a></p>
</section>`;
}

/** /login/code: passwordless login with an emailed one-time code. */
export function loginCodePage(app: FastifyInstance, deps: CoreDeps, config: AppConfig): void {
  const target = (value: unknown): string => safeReturnTo(typeof value === 'string' ? value : undefined, config.publicUrl, config.allowedReturnOrigins);
  app.get<{ Querystring: { return_to?: unknown } }>('/login/code', { schema: { tags: ['pages'], summary: 'Log in with an emailed code.' } }, async (request, reply) => {
    if ((await currentSession(deps, request)) !== null) return reply.redirect(target(request.query.return_to));
    return sendPage(reply, 200, { title: 'Log in with a code', body: emailForm(target(request.query.return_to), '') });
  });
  app.post('/login/code', { schema: { tags: ['pages'], summary: 'Mail a sign-in code.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const returnTo = target(field(request.body, 'return_to'));
    const result = await attempt(() => requestLoginCode(deps, email, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Log in with a code', body: emailForm(returnTo, email, result.message) });
    // The same page whether or not the address has an account.
    return sendPage(reply, 200, { title: 'Enter your code', body: codeForm(config, returnTo, email.trim()) });
  });
  app.post('/login/code/verify', { schema: { tags: ['pages'], summary: 'Log in with the emailed code.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const returnTo = target(field(request.body, 'return_to'));
    const previous = await currentSession(deps, request);
    const input = { email, code: field(request.body, 'code'), ...(previous === null ? {} : { previousSession: previous }) };
    const result = await attempt(() => logInWithEmailCode(deps, input, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Enter your code', body: codeForm(config, returnTo, email, result.message) });
    if (result.value.kind === 'second_factor') {
      setPendingLoginCookie(reply, result.value.pendingToken);
      return redirectAfterPost(reply, `/login/second-factor?return_to=${encodeURIComponent(returnTo)}`);
    }
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, returnTo);
  });
}
