import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { confirmTotpEnrolment } from '../../core/otp/confirm-totp-enrolment.ts';
import { disableTotp } from '../../core/otp/disable-totp.ts';
import { regenerateRecoveryCodes } from '../../core/otp/regenerate-recovery-codes.ts';
import { pendingTotpEnrolment, startTotpEnrolment } from '../../core/otp/start-totp-enrolment.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { qrSvg } from '../qr-svg.ts';
import { clearSessionCookie, currentSession, readSessionToken, requestContext, setSessionCookie } from '../session-cookie.ts';
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

function passwordForm(deps: CoreDeps, current: SessionWithUser, action: string, button: string, id: string, danger: boolean) {
  return html`<form method="post" action="${action}">
  ${reauthFields(deps, current, id)}
  <button type="submit"${danger ? html` class="danger"` : ''}>${button}</button>
</form>`;
}

async function render(deps: CoreDeps, reply: FastifyReply, current: SessionWithUser, status: number, message?: string, notice?: string) {
  const { user } = current;
  const credential = await deps.store.totp.find(user.id);
  let body;
  if (credential === null) {
    body = html`<p>Two-factor authentication is <strong>off</strong>. With it on, logging in needs a code from an authenticator app as well as your password.</p>
${passwordForm(deps, current, '/account/two-factor/enrol', 'Set up an authenticator app', 'enrol-password', false)}`;
  } else if (credential.confirmedAtMs === null && credential.enrolmentSessionId !== current.session.id) {
    // Started by another session: its key is shown only there (docs/security.md SEC-105).
    body = html`<p>Two-factor authentication is <strong>off</strong>. A setup was started on another device and is not finished; starting here replaces it.</p>
${passwordForm(deps, current, '/account/two-factor/enrol', 'Set up an authenticator app', 'enrol-password', false)}`;
  } else if (credential.confirmedAtMs === null) {
    const enrolment = await pendingTotpEnrolment(deps, current);
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
<h2>Cancel</h2>${passwordForm(deps, current, '/account/two-factor/disable', 'Cancel the setup', 'cancel-password', false)}`;
  } else {
    const left = (await deps.store.recoveryCodes.listByUser(user.id)).filter((c) => c.usedAtMs === null).length;
    body = html`<p>Two-factor authentication is <strong>on</strong>. ${String(left)} recovery codes left.</p>
<h2>New recovery codes</h2><p class="muted">The old ones stop working.</p>${passwordForm(deps, current, '/account/two-factor/recovery-codes', 'Make new recovery codes', 'codes-password', false)}
<h2>Turn off</h2>${passwordForm(deps, current, '/account/two-factor/disable', 'Turn off two-factor authentication', 'disable-password', true)}`;
  }
  return sendPage(reply, status, {
    title: 'Two-factor authentication',
    signedInAs: user.email,
    body: html`${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}<section class="card narrow" aria-labelledby="tf-title"><h1 id="tf-title">Two-factor authentication</h1>${alert(message)}${body}<p class="muted"><a href="/account">Back to your account</a></p></section>`,
  });
}

/** /account/two-factor: enrol (QR code, key, first code), recovery codes, turn off. No JavaScript. */
export function twoFactorPage(app: FastifyInstance, deps: CoreDeps): void {
  const signedIn = async (request: FastifyRequest, reply: FastifyReply): Promise<SessionWithUser | null> => {
    const current = await currentSession(deps, request);
    if (current === null) {
      if (readSessionToken(request) !== undefined) clearSessionCookie(reply);
      await reply.redirect('/login?return_to=%2Faccount%2Ftwo-factor', 303);
    }
    return current;
  };

  // The forms send only `password` as proof (the `code` field of the confirm form is the new authenticator's).
  const passwordProof = (body: unknown) => reauthProof({ password: field(body, 'password') });
  const failed = (reply: FastifyReply, current: SessionWithUser, result: { status: number; message: string; code: string }) =>
    result.code === 'reauthentication_required' ? redirectToReauth(reply, '/account/two-factor') : render(deps, reply, current, result.status, result.message);

  app.get<{ Querystring: { done?: unknown } }>('/account/two-factor', { schema: { tags: ['pages'], summary: 'Two-factor settings page.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    return render(deps, reply, current, 200, undefined, typeof request.query.done === 'string' ? notices[request.query.done] : undefined);
  });

  app.post('/account/two-factor/enrol', { schema: { tags: ['pages'], summary: 'Start TOTP enrolment.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const result = await attempt(() => startTotpEnrolment(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return redirectAfterPost(reply, '/account/two-factor');
  });

  app.post('/account/two-factor/confirm', { schema: { tags: ['pages'], summary: 'Confirm TOTP enrolment with a first code.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const result = await attempt(() => confirmTotpEnrolment(deps, current, field(request.body, 'code'), passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return sendPage(reply, 200, { title: 'Recovery codes', signedInAs: current.user.email, body: recoveryCodesPage(result.value.recoveryCodes, 'Two-factor authentication is on') });
  });

  app.post('/account/two-factor/recovery-codes', { schema: { tags: ['pages'], summary: 'Make new recovery codes.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const result = await attempt(() => regenerateRecoveryCodes(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return sendPage(reply, 200, { title: 'Recovery codes', signedInAs: current.user.email, body: recoveryCodesPage(result.value, 'New recovery codes') });
  });

  app.post('/account/two-factor/disable', { schema: { tags: ['pages'], summary: 'Turn TOTP off (needs the password).' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const result = await attempt(() => disableTotp(deps, current, passwordProof(request.body), requestContext(request)));
    if (!result.ok) return failed(reply, current, result);
    return redirectAfterPost(reply, '/account/two-factor?done=disabled');
  });
}
