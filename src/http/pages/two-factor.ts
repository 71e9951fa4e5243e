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

/** A form that posts the password to `action`; `danger` styles the button for what cannot be undone. */
function passwordForm(action: string, button: string, id: string, look: 'plain' | 'danger') {
  return html`<form method="post" action="${action}">
  <label for="${id}">Password</label>
  <input id="${id}" name="password" type="password" autocomplete="current-password" required>
  <button type="submit"${look === 'danger' ? html` class="danger"` : ''}>${button}</button>
</form>`;
}

async function render(deps: CoreDeps, reply: FastifyReply, current: SessionWithUser, status: number, message?: string, notice?: string) {
  const { user } = current;
  const twoFactor = await twoFactorStatus(deps, user.id);
  let body;
  if (twoFactor.totp === 'off') {
    body = html`<p>Two-factor authentication is <strong>off</strong>. With it on, logging in needs a code from an authenticator app as well as your password.</p>
<form method="post" action="/account/two-factor/enrol"><button type="submit">Set up an authenticator app</button></form>`;
  } else if (twoFactor.totp === 'pending') {
    // One flow, one form: scan, then prove it with a first code. Until that code, the pending key
    // protects nothing, so leaving needs no form at all: nothing changes until the code is in.
    const enrolment = await pendingTotpEnrolment(deps, user);
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
  <label for="confirm-password">Your password <span class="hint" id="confirm-password-hint">To confirm it is you.</span></label>
  <input id="confirm-password" name="password" type="password" autocomplete="current-password" required aria-describedby="confirm-password-hint">
  <button type="submit">Turn on two-factor authentication</button>
</form>
<p class="muted">Not now? Nothing changes until you enter a code: <a href="/account">back to your account</a>.</p>`;
  } else {
    body = html`<p>Two-factor authentication is <strong>on</strong>. ${String(twoFactor.recoveryCodesLeft)} recovery codes left.</p>
<h2>New recovery codes</h2><p class="muted">The old ones stop working.</p>${passwordForm('/account/two-factor/recovery-codes', 'Make new recovery codes', 'codes-password', 'plain')}
<h2>Turn off</h2>${passwordForm('/account/two-factor/disable', 'Turn off two-factor authentication', 'disable-password', 'danger')}`;
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

  app.get<{ Querystring: { done?: unknown } }>('/account/two-factor', { preHandler, schema: { tags: ['pages'], summary: 'Two-factor settings page.' } }, async (request, reply) => {
    const current = signedInSession(request);
    return render(deps, reply, current, 200, undefined, typeof request.query.done === 'string' ? notices[request.query.done] : undefined);
  });

  app.post('/account/two-factor/enrol', { preHandler, schema: { tags: ['pages'], summary: 'Start TOTP enrolment.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => startTotpEnrolment(deps, current.user, requestContext(request)));
    if (!result.ok) return render(deps, reply, current, result.status, result.message);
    return redirectAfterPost(reply, '/account/two-factor');
  });

  app.post('/account/two-factor/confirm', { preHandler, schema: { tags: ['pages'], summary: 'Confirm TOTP enrolment with a first code.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => confirmTotpEnrolment(deps, current, field(request.body, 'code'), { password: field(request.body, 'password') }, requestContext(request)));
    if (!result.ok) return render(deps, reply, current, result.status, result.message);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return sendPage(reply, 200, { title: 'Recovery codes', signedInAs: current.user.email, body: recoveryCodesPage(result.value.recoveryCodes, 'Two-factor authentication is on') });
  });

  app.post('/account/two-factor/recovery-codes', { preHandler, schema: { tags: ['pages'], summary: 'Make new recovery codes.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => regenerateRecoveryCodes(deps, current.user, { password: field(request.body, 'password') }, requestContext(request)));
    if (!result.ok) return render(deps, reply, current, result.status, result.message);
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
    const result = await attempt(() => disableTotp(deps, current.user, { password: field(request.body, 'password') }, requestContext(request)));
    if (!result.ok) return render(deps, reply, current, result.status, result.message);
    return redirectAfterPost(reply, '/account/two-factor?done=disabled');
  });
}
