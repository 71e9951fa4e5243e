import type { FastifyInstance } from 'fastify';
import { beginLogin } from '../../core/credentials/begin-login.ts';
import { completeSecondFactor } from '../../core/credentials/complete-second-factor.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import type { AppConfig } from '../app-config.ts';
import { safeReturnTo } from '../return-to.ts';
import { clearPendingLoginCookie, currentSession, readPendingLoginToken, requestContext, setPendingLoginCookie, setSessionCookie } from '../session-cookie.ts';
import { html, type SafeHtml } from './html.ts';
import { passkeyLoginOffer, passkeySecondFactorOffer } from './passkey-offers.ts';
import { alert, notice as noticeBox, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';
import { providerButtons } from './provider-buttons.ts';

// Chosen by key; the query string is never echoed into the page.
const notices: Record<string, string> = {
  verified: 'Your email address is confirmed. Log in.',
  reset: 'Your new password is set and every device was signed out. Log in with it.',
  'logged-out': 'You are logged out on this device. Your other devices stay signed in.',
  'email-changed': 'Your email address is changed and every other device was signed out. Log in with the new address.',
  'passkey-failed': 'That passkey could not be used to log in. Try again, or log in another way.',
  'passkey-unverified': 'Your email address is not confirmed yet. Open the link we mailed you, then log in with your passkey.',
};
// Why a signed-in page sent the browser here (pages/signed-in.ts); carries no token.
const reasons: Record<string, string> = {
  'signed-out-elsewhere': 'You were signed out on this device from another session. Log in again to continue.',
};

/** After "email_not_verified" (said only after the right password): a button that mails a new link. */
function resendVerification(email: string) {
  return html`<form method="post" action="/verify/resend" class="resend">
  <input type="hidden" name="email" value="${email}">
  <p>Your address is not confirmed yet. Open the link we mailed you, or <button class="secondary" type="submit">send a new confirmation link</button></p>
</form>`;
}

function loginForm(passkey: SafeHtml, email: string, returnTo: string, oauth: OAuthDeps | undefined, message?: string, notice?: string, errorCode?: string) {
  return html`<section class="card narrow" aria-labelledby="login-title">
<h1 id="login-title">Log in</h1>
${noticeBox(notice)}${errorCode === 'email_not_verified' ? html`<div class="alert" role="alert">${resendVerification(email)}</div>` : alert(message)}
<form method="post" action="/login">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username webauthn" required value="${email}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Log in</button>
</form>
${passkey}
<p class="muted"><a href="/forgot">Forgot your password?</a> · <a href="/login/code">Email me a sign-in code</a></p>
${providerButtons(oauth, returnTo)}
<p class="muted">New here? <a href="/signup?return_to=${encodeURIComponent(returnTo)}">Create an account</a></p>
</section>`;
}

function secondFactorForm(passkey: SafeHtml, returnTo: string, message?: string) {
  return html`<section class="card narrow" aria-labelledby="second-title">
<h1 id="second-title">Two-factor authentication</h1>
${alert(message)}
${passkey}
<p>Enter the 6-digit code from your authenticator app.</p>
<form method="post" action="/login/second-factor">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="code">Code</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
  <button type="submit">Verify</button>
</form>
<details>
<summary>Lost your device? Use a recovery code</summary>
<form method="post" action="/login/second-factor">
  <input type="hidden" name="return_to" value="${returnTo}">
  <label for="recovery-code">Recovery code</label>
  <input id="recovery-code" name="recoveryCode" type="text" autocomplete="off" spellcheck="false" required>
  <button type="submit">Use recovery code</button>
</form>
</details>
</section>`;
}

export function loginPage(app: FastifyInstance, deps: CoreDeps, config: AppConfig, oauth?: OAuthDeps): void {
  const target = (value: unknown): string => safeReturnTo(typeof value === 'string' ? value : undefined, config.publicUrl, config.allowedReturnOrigins);
  app.get<{ Querystring: { return_to?: unknown; done?: unknown; why?: unknown; login_hint?: unknown } }>('/login', { schema: { tags: ['pages'], summary: 'Login page; login_hint (from an OpenID authorization request) fills in the email.' } }, async (request, reply) => {
    if ((await currentSession(deps, request)) !== null) return reply.redirect(target(request.query.return_to));
    const { done, why } = request.query;
    const notice = typeof done === 'string' ? notices[done] : typeof why === 'string' ? reasons[why] : undefined;
    const returnTo = target(request.query.return_to);
    // OIDC Core §3.1.2.1 login_hint: only a plausible address prefills the field (escaped, like every value).
    const hint = typeof request.query.login_hint === 'string' && request.query.login_hint.length <= 254 && request.query.login_hint.includes('@') ? request.query.login_hint : '';
    return sendPage(reply, 200, { title: 'Log in', body: loginForm(await passkeyLoginOffer(deps, reply, returnTo), hint, returnTo, oauth, undefined, notice) });
  });
  // Login CSRF is refused by the origin check that guards every POST (plugins/csrf.ts).
  app.post('/login', { schema: { tags: ['pages'], summary: 'Login form submission.' } }, async (request, reply) => {
    const email = field(request.body, 'email');
    const previous = await currentSession(deps, request);
    const input = { email, password: field(request.body, 'password'), ...(previous === null ? {} : { previousSession: previous }) };
    const result = await attempt(() => beginLogin(deps, input, requestContext(request)));
    const returnTo = target(field(request.body, 'return_to'));
    if (!result.ok) return sendPage(reply, result.status, { title: 'Log in', body: loginForm(await passkeyLoginOffer(deps, reply, returnTo), email, returnTo, oauth, result.message, undefined, result.code) });
    if (result.value.kind === 'second_factor') {
      // The password was right; nothing is granted until the second step passes (docs/security.md SEC-45).
      setPendingLoginCookie(reply, result.value.pendingToken);
      return redirectAfterPost(reply, `/login/second-factor?return_to=${encodeURIComponent(returnTo)}`);
    }
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, returnTo);
  });

  app.get<{ Querystring: { return_to?: unknown; done?: unknown } }>('/login/second-factor', { schema: { tags: ['pages'], summary: 'Second step of a login: TOTP, recovery code or passkey.' } }, async (request, reply) => {
    const pendingToken = readPendingLoginToken(request);
    if (pendingToken === undefined) return reply.redirect('/login');
    const returnTo = target(request.query.return_to);
    const message = request.query.done === 'passkey-failed' ? notices['passkey-failed'] : undefined;
    return sendPage(reply, 200, { title: 'Two-factor authentication', body: secondFactorForm(await passkeySecondFactorOffer(deps, reply, pendingToken, returnTo), returnTo, message) });
  });

  app.post('/login/second-factor', { schema: { tags: ['pages'], summary: 'Second step of a login: submission.' } }, async (request, reply) => {
    const returnTo = target(field(request.body, 'return_to'));
    const pendingToken = readPendingLoginToken(request);
    if (pendingToken === undefined) return redirectAfterPost(reply, '/login');
    const code = field(request.body, 'code');
    const proof = code !== '' ? { code } : { recoveryCode: field(request.body, 'recoveryCode') };
    const previous = await currentSession(deps, request);
    const result = await attempt(() => completeSecondFactor(deps, { pendingToken, proof, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request)));
    if (!result.ok) {
      if (result.status === 401) {
        clearPendingLoginCookie(reply);
        return sendPage(reply, 401, { title: 'Log in', body: loginForm(await passkeyLoginOffer(deps, reply, returnTo), '', returnTo, oauth, 'That login took too long or is no longer valid. Log in again.') });
      }
      return sendPage(reply, result.status, { title: 'Two-factor authentication', body: secondFactorForm(await passkeySecondFactorOffer(deps, reply, pendingToken, returnTo), returnTo, result.message) });
    }
    clearPendingLoginCookie(reply);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, returnTo);
  });
}
