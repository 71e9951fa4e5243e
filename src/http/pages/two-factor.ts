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
import { alert, notice as noticeBox, redirectAfterPost, sendPage } from './layout.ts';
import { recoveryCodesForDownload } from '../../core/otp/recovery-codes-download.ts';
import { attempt, field } from './forms.ts';
import { redirectToReauth } from './reauth.ts';
import { reauthProof } from '../reauth-proof.ts';
import { isRecentlyAuthenticated } from '../../core/sessions/recent-authentication.ts';

const notices: Record<string, string> = { disabled: 'Two-factor authentication is off.' };

/**
 * The codes once: a grid with one whole code per cell, a read-only text area to copy them all
 * (no JavaScript), and a download that re-posts them (checked against their hashes, see
 * core/otp/recovery-codes-download.ts): the server never keeps them in plaintext.
 */
function recoveryCodesPage(codes: readonly string[], heading: string) {
  return html`<section class="card" aria-labelledby="codes-title">
<h1 id="codes-title">${heading}</h1>
<p>Keep these recovery codes somewhere safe (printed, or in a password manager). Each one logs you in once if you lose your authenticator. They are shown only now.</p>
<ul class="code-grid" data-recovery-codes aria-label="Recovery codes">${codes.map((c) => html`<li>${c}</li>`)}</ul>
<label for="codes-text">All codes, to copy <span class="hint">Select all in this box and copy.</span></label>
<textarea id="codes-text" class="codes" readonly rows="${String(codes.length)}" spellcheck="false" autocomplete="off">${codes.join('\n')}</textarea>
<div class="actions">
<form method="post" action="/account/two-factor/recovery-codes/download">
  <input type="hidden" name="codes" value="${codes.join(' ')}">
  <button class="secondary" type="submit">Download as .txt</button>
</form>
<a href="/account/two-factor">I have saved them</a>
</div>
<p class="muted">The download works for 10 minutes after the codes are made.</p>
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
    // One flow, one form: scan, then prove it with a first code. Until that code, the pending key
    // protects nothing, so leaving needs no form at all: nothing changes until the code is in.
    const svg = enrolment === null ? '' : await qrSvg(enrolment.uri);
    body = html`<p>Two-factor authentication is <strong>off</strong> until you finish these two steps.</p>
<h2>1. Add the key to your authenticator app</h2>
<p>Scan this QR code with the app, or type the key in by hand.</p>
<div class="qr" role="img" aria-label="QR code of the authenticator key">${new SafeHtml(svg)}</div>
<p>Key: <code class="secret" data-totp-secret>${enrolment?.secret ?? ''}</code></p>
<p class="muted">Or open <a href="${enrolment?.uri ?? '#'}">this otpauth link</a> on the device with the app.</p>
<h2>2. Enter the code the app shows</h2>
<form method="post" action="/account/two-factor/confirm">
  <label for="code">Code shown by the app</label>
  <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
  ${reauthFields(deps, current, 'confirm-password')}
  <button type="submit">Turn on two-factor authentication</button>
</form>
<p class="muted">Not now? Leave this page: nothing changes until you enter a code.</p>`;
  } else {
    body = html`<p>Two-factor authentication is <strong>on</strong>. ${String(twoFactor.recoveryCodesLeft)} recovery codes left.</p>
<h2>New recovery codes</h2><p class="muted">The old ones stop working.</p>${reauthForm(deps, current, '/account/two-factor/recovery-codes', 'Make new recovery codes', 'codes-password', 'plain')}
<h2>Turn off</h2>${reauthForm(deps, current, '/account/two-factor/disable', 'Turn off two-factor authentication', 'disable-password', 'danger')}`;
  }
  return sendPage(reply, status, {
    title: 'Two-factor authentication',
    signedInAs: user.email,
    body: html`${noticeBox(notice)}<section class="card narrow" aria-labelledby="tf-title"><h1 id="tf-title">Two-factor authentication</h1>${alert(message)}${body}<p class="muted"><a href="/account">Back to your account</a></p></section>`,
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

  app.post('/account/two-factor/recovery-codes/download', { preHandler, schema: { tags: ['pages'], summary: 'Download the recovery codes just shown, as a .txt attachment.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => recoveryCodesForDownload(deps, current.user, field(request.body, 'codes').split(/\s+/)));
    if (!result.ok) return render(deps, reply, current, result.status, result.message);
    const text = [`${deps.accountSecurity.branding.productName} recovery codes for ${current.user.email}`, 'Each code logs you in once. Keep this file private.', '', ...result.value, ''].join('\n');
    return reply
      .code(200)
      .type('text/plain; charset=utf-8')
      .header('content-disposition', 'attachment; filename="recovery-codes.txt"')
      .header('cache-control', 'no-store')
      .send(text);
  });

  app.post('/account/two-factor/disable', { preHandler, schema: { tags: ['pages'], summary: 'Turn TOTP off (needs the password).' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => disableTotp(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return redirectAfterPost(reply, '/account/two-factor?done=disabled');
  });
}
