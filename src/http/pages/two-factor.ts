import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { confirmTotpEnrolment } from '../../core/otp/confirm-totp-enrolment.ts';
import { disableTotp } from '../../core/otp/disable-totp.ts';
import { regenerateRecoveryCodes } from '../../core/otp/regenerate-recovery-codes.ts';
import { pendingTotpEnrolment, startTotpEnrolment } from '../../core/otp/start-totp-enrolment.ts';
import { twoFactorStatus } from '../../core/otp/two-factor-status.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { qrSvg } from '../qr-svg.ts';
import { requestContext, setSessionCookie } from '../session-cookie.ts';
import { signedIn, signedInSession } from './signed-in.ts';
import { html, SafeHtml } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { attempt, field } from './forms.ts';
import { redirectToReauth } from './reauth.ts';
import { reauthProof } from '../reauth-proof.ts';
import { isRecentlyAuthenticated } from '../../core/sessions/recent-authentication.ts';

const notices: Record<string, string> = { disabled: 'Two-factor authentication is off.' };

function recoveryCodesPage(codes: readonly string[], heading: string) {
  return html`<section class="card narrow" aria-labelledby="codes-title">
<h1 id="codes-title">${heading}</h1>
<p>Keep these recovery codes somewhere safe (printed, or in a password manager). Each one logs you in once if you lose your authenticator. They are shown only now.</p>
<ul class="code-list" data-recovery-codes>${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>
<p><a href="/account/two-factor">Done</a></p>
</section>`;
}

/**
 * The proof a sensitive form sends along: nothing within minutes of a login or re-authentication
 * (docs/security.md SEC-100), else the password, with the other ways (emailed code, authenticator)
 * on the re-authentication page.
 */
function reauthFields(deps: CoreDeps, current: SessionWithUser, id: string): SafeHtml {
  if (isRecentlyAuthenticated(deps, current)) return html``;
  const otherWays = html`<p class="muted"><a href="/account/reauth?return_to=%2Faccount%2Ftwo-factor">${current.user.passwordHash === null ? 'Confirm it is you first' : 'Confirm another way'}</a></p>`;
  if (current.user.passwordHash === null) return otherWays;
  return html`<label for="${id}">Your password</label>
  <input id="${id}" name="password" type="password" autocomplete="current-password" required>${otherWays}`;
}

/** A form that posts to `action` with the re-authentication it needs; `danger` styles the button for what cannot be undone. */
function reauthForm(deps: CoreDeps, current: SessionWithUser, action: string, button: string, id: string, look: 'plain' | 'danger') {
  return html`<form method="post" action="${action}">
  ${reauthFields(deps, current, id)}
  <button type="submit"${look === 'danger' ? html` class="danger"` : ''}>${button}</button>
</form>`;
}

async function render(deps: CoreDeps, reply: FastifyReply, current: SessionWithUser, status: number, message?: string, notice?: string) {
  const { user } = current;
  const twoFactor = await twoFactorStatus(deps, user.id);
  let body;
  // A pending enrolment is shown only to the session that started it (docs/security.md SEC-105).
  const enrolment = twoFactor.totp === 'pending' ? await pendingTotpEnrolment(deps, current) : null;
  if (twoFactor.totp === 'off' || (twoFactor.totp === 'pending' && enrolment === null)) {
    body = html`<p>Two-factor authentication is <strong>off</strong>. With it on, logging in needs a code from an authenticator app as well as your password.</p>
${twoFactor.totp === 'pending' ? html`<p class="muted">A setup was started on another device and is not finished; starting here replaces it.</p>` : ''}
${reauthForm(deps, current, '/account/two-factor/enrol', 'Set up an authenticator app', 'enrol-password', 'plain')}`;
  } else if (twoFactor.totp === 'pending') {
    const svg = enrolment === null ? '' : await qrSvg(enrolment.uri);
    body = html`<p>Scan this QR code with your authenticator app, or type the key in by hand.</p>
<div class="qr" role="img" aria-label="QR code of the authenticator key">${new SafeHtml(svg)}</div>
<p>Key: <code class="secret" data-totp-secret>${enrolment?.secret ?? ''}</code></p>
<p class="muted">Or open <a href="${enrolment?.uri ?? '#'}">this otpauth link</a> on the device with the app.</p>
<form method="post" action="/account/two-factor/confirm">
  <label for="code">Code shown by the app</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
  ${reauthFields(deps, current, 'confirm-password')}
  <button type="submit">Turn on two-factor authentication</button>
</form>
<h2>Cancel</h2>${reauthForm(deps, current, '/account/two-factor/disable', 'Cancel the setup', 'cancel-password', 'plain')}`;
  } else {
    body = html`<p>Two-factor authentication is <strong>on</strong>. ${String(twoFactor.recoveryCodesLeft)} recovery codes left.</p>
<h2>New recovery codes</h2><p class="muted">The old ones stop working.</p>${reauthForm(deps, current, '/account/two-factor/recovery-codes', 'Make new recovery codes', 'codes-password', 'plain')}
<h2>Turn off</h2>${reauthForm(deps, current, '/account/two-factor/disable', 'Turn off two-factor authentication', 'disable-password', 'danger')}`;
  }
  return sendPage(reply, status, {
    title: 'Two-factor authentication',
    signedInAs: user.email,
    body: html`${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}<section class="card narrow" aria-labelledby="tf-title"><h1 id="tf-title">Two-factor authentication</h1>${alert(message)}${body}<p class="muted"><a href="/account">Back to your account</a></p></section>`,
  });
}

/** /account/two-factor: enrol (QR code, key, first code), recovery codes, turn off. No JavaScript. */
export function twoFactorPage(app: FastifyInstance, deps: CoreDeps): void {
  const preHandler = signedIn(deps, '/account/two-factor');
  // The forms send only `password` as proof (the `code` field of the confirm form is the new authenticator's).
  const passwordProof = (body: unknown) => reauthProof({ password: field(body, 'password') });
  const failed = (reply: FastifyReply, current: SessionWithUser, result: { status: number; message: string; code: string }) =>
    result.code === 'reauthentication_required' ? redirectToReauth(reply, '/account/two-factor') : render(deps, reply, current, result.status, result.message);

  app.get<{ Querystring: { done?: unknown } }>('/account/two-factor', { preHandler, schema: { tags: ['pages'], summary: 'Two-factor settings page.' } }, async (request, reply) => {
    const current = signedInSession(request);
    return render(deps, reply, current, 200, undefined, typeof request.query.done === 'string' ? notices[request.query.done] : undefined);
  });

  app.post('/account/two-factor/enrol', { preHandler, schema: { tags: ['pages'], summary: 'Start TOTP enrolment.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => startTotpEnrolment(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return redirectAfterPost(reply, '/account/two-factor');
  });

  app.post('/account/two-factor/confirm', { preHandler, schema: { tags: ['pages'], summary: 'Confirm TOTP enrolment with a first code.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => confirmTotpEnrolment(deps, current, field(request.body, 'code'), passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return sendPage(reply, 200, { title: 'Recovery codes', signedInAs: current.user.email, body: recoveryCodesPage(result.value.recoveryCodes, 'Two-factor authentication is on') });
  });

  app.post('/account/two-factor/recovery-codes', { preHandler, schema: { tags: ['pages'], summary: 'Make new recovery codes.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => regenerateRecoveryCodes(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return sendPage(reply, 200, { title: 'Recovery codes', signedInAs: current.user.email, body: recoveryCodesPage(result.value, 'New recovery codes') });
  });

  app.post('/account/two-factor/disable', { preHandler, schema: { tags: ['pages'], summary: 'Turn TOTP off (needs the password).' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => disableTotp(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return redirectAfterPost(reply, '/account/two-factor?done=disabled');
  });
}
