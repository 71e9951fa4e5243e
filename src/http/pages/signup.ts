import type { FastifyInstance } from 'fastify';
import { signUp } from '../../core/accounts/sign-up.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { AppConfig } from '../app-config.ts';
import { safeReturnTo } from '../return-to.ts';
import { currentSession, requestContext } from '../session-cookie.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';
import { providerButtons } from './provider-buttons.ts';

function signupForm(deps: CoreDeps, email: string, returnTo: string, oauth: OAuthDeps | undefined, message?: string) {
  const min = deps.passwordPolicy.minLength;
  return html`<section class="card narrow" aria-labelledby="signup-title">
<h1 id="signup-title">Create your account</h1>
${alert(message)}
<form method="post" action="/signup">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${email}">
  <label for="password">Password <span class="hint" id="password-hint">At least ${min} characters. A few unrelated words make a strong, memorable password.</span></label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="${min}" required aria-describedby="password-hint">
  <button type="submit">Sign up</button>
</form>
<p class="muted"><a href="/signup/passkey">Sign up with a passkey instead</a> (no password)</p>
${providerButtons(oauth, returnTo)}
<p class="muted">Already have an account? <a href="/login?return_to=${encodeURIComponent(returnTo)}">Log in</a></p>
</section>`;
}

export function signupPage(app: FastifyInstance, deps: CoreDeps, config: AppConfig, oauth?: OAuthDeps): void {
  const target = (value: unknown): string => safeReturnTo(typeof value === 'string' ? value : undefined, config.publicUrl, config.allowedReturnOrigins);
  app.get<{ Querystring: { return_to?: unknown } }>('/signup', { schema: { tags: ['pages'], summary: 'Sign-up page.' } }, async (request, reply) => {
    if ((await currentSession(deps, request)) !== null) return reply.redirect(target(request.query.return_to));
    return sendPage(reply, 200, { title: 'Sign up', body: signupForm(deps, '', target(request.query.return_to), oauth) });
  });
  app.post('/signup', { schema: { tags: ['pages'], summary: 'Sign-up form submission.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const result = await attempt(() => signUp(deps, { email, password: field(request.body, 'password') }, requestContext(request)));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Sign up', body: signupForm(deps, email, target(field(request.body, 'return_to')), oauth, result.message) });
    // The same page whether the address was new or already had an account (docs/security.md SEC-47).
    return redirectAfterPost(reply, '/verify?sent=signup');
  });
}
