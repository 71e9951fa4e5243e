import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { reauthenticate } from '../../core/accounts/reauthenticate.ts';
import { hasSecondFactor } from '../../core/credentials/log-in.ts';
import { hasStrongSecondFactor } from '../../core/operators/operator-access.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { sendEmailCode } from '../../core/otp/email-code.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import type { AppConfig } from '../app-config.ts';
import { takePasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { reauthProof } from '../reauth-proof.ts';
import { safeReturnTo } from '../return-to.ts';
import { clearSessionCookie, currentSession, readSessionToken, requestContext } from '../session-cookie.ts';
import { attempt, field } from './forms.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { postedAnswer } from './passkey-forms.ts';
import { passkeyReauthOffer } from './passkey-offers.ts';

/**
 * Sends the browser to the re-authentication form, which comes back to `returnTo` (the page of
 * the action) once the user has confirmed it is them. For a page action that answered
 * `reauthentication_required` (docs/security.md SEC-100).
 */
export function redirectToReauth(reply: FastifyReply, returnTo: string): FastifyReply {
  return redirectAfterPost(reply, `/account/reauth?return_to=${encodeURIComponent(returnTo)}`);
}

async function reauthForm(deps: CoreDeps, reply: FastifyReply, current: SessionWithUser, returnTo: string, message?: string, notice?: string) {
  const { user } = current;
  const totp = await hasSecondFactor(deps, user.id);
  // A password-only session of an account with a second factor: the password confirms changes,
  // but adding a way in needs the factor or the mailbox (docs/security.md SEC-168).
  const passwordOnly = !current.session.amr.some((method) => method !== 'pwd') && (await hasStrongSecondFactor(deps, user.id));
  const passkey = await passkeyReauthOffer(deps, reply, current, returnTo);
  const hidden = html`<input type="hidden" name="return_to" value="${returnTo}">`;
  return html`<section class="card narrow" aria-labelledby="reauth-title">
<h1 id="reauth-title">Confirm it is you</h1>
${notice === undefined ? '' : html`<p class="notice" role="status">${notice}</p>`}${alert(message)}
<p>This change needs a fresh confirmation. It then holds for ${String(Math.round(deps.sessionPolicy.reauthWindowMs / 60_000))} minutes.</p>
${passwordOnly ? html`<p class="muted">To add a passkey, an authenticator, recovery codes, a login provider or a new email address, confirm with your passkey, your authenticator code or an emailed code: the password alone is not enough for those.</p>` : ''}
${passkey}
${
  user.passwordHash === null
    ? ''
    : html`<form method="post" action="/account/reauth">${hidden}
  <label for="reauth-password">Password</label>
  <input id="reauth-password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Confirm</button>
</form>`
}
${
  totp
    ? html`<form method="post" action="/account/reauth">${hidden}
  <label for="reauth-code">Code from your authenticator app</label>
  <input id="reauth-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
  <button type="submit">Confirm with the code</button>
</form>`
    : ''
}
<form method="post" action="/account/reauth/email-code">${hidden}<button class="secondary" type="submit">Email me a code</button></form>
<form method="post" action="/account/reauth">${hidden}
  <label for="reauth-email-code">Code from the email</label>
  <input id="reauth-email-code" name="emailCode" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8" required>
  <button type="submit">Confirm with the emailed code</button>
</form>
<p class="muted"><a href="${returnTo}">Cancel</a></p>
</section>`;
}

/** /account/reauth: the password, an authenticator code, a passkey or an emailed code, then back to the action's page. */
export function reauthPage(app: FastifyInstance, deps: CoreDeps, config: AppConfig): void {
  // Only paths of this site: the form must not become a way to send people elsewhere.
  const target = (value: unknown): string => safeReturnTo(typeof value === 'string' ? value : undefined, config.publicUrl, []);
  const signedIn = async (request: Parameters<typeof currentSession>[1], reply: FastifyReply): Promise<SessionWithUser | null> => {
    const current = await currentSession(deps, request);
    if (current === null) {
      if (readSessionToken(request) !== undefined) clearSessionCookie(reply);
      await reply.redirect('/login?return_to=%2Faccount', 303);
    }
    return current;
  };
  const show = async (reply: FastifyReply, current: SessionWithUser, status: number, returnTo: string, message?: string, notice?: string) =>
    sendPage(reply, status, { title: 'Confirm it is you', signedInAs: current.user.email, body: await reauthForm(deps, reply, current, returnTo, message, notice) });

  app.get<{ Querystring: { return_to?: unknown } }>('/account/reauth', { schema: { tags: ['pages'], summary: 'Re-authentication form before a sensitive change.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    return show(reply, current, 200, target(request.query.return_to));
  });

  app.post('/account/reauth', { schema: { tags: ['pages'], summary: 'Re-authenticate, then return to the page of the action.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const returnTo = target(field(request.body, 'return_to'));
    const proof = reauthProof(request.body);
    if (proof === undefined) return show(reply, current, 400, returnTo, 'Enter your password or a code.');
    const result = await attempt(() => reauthenticate(deps, current, proof, requestContext(request)));
    if (!result.ok) return show(reply, current, result.status, returnTo, result.message);
    return redirectAfterPost(reply, returnTo);
  });

  app.post('/account/reauth/passkey', { schema: { tags: ['pages'], summary: 'Re-authenticate with a passkey: the browser’s answer, then back to the page of the action.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const returnTo = target(field(request.body, 'return_to'));
    const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
    const response = postedAnswer<AuthenticationResponseJSON>(field(request.body, 'response'));
    if (response === null) return show(reply, current, 400, returnTo, 'The passkey could not be used. Try again, or use another way.');
    const result = await attempt(() => reauthenticate(deps, current, { passkey: { ceremonyToken, response } }, requestContext(request)));
    if (!result.ok) return show(reply, current, result.status, returnTo, result.message);
    return redirectAfterPost(reply, returnTo);
  });

  app.post('/account/reauth/email-code', { schema: { tags: ['pages'], summary: 'Mail a re-authentication code.' } }, async (request, reply) => {
    const current = await signedIn(request, reply);
    if (current === null) return reply;
    const returnTo = target(field(request.body, 'return_to'));
    await sendEmailCode(deps, current.user, 'reauth', requestContext(request));
    return show(reply, current, 200, returnTo, undefined, `We mailed a code to ${current.user.email}. It works for ${String(Math.round(deps.accountSecurity.policy.emailCodeTtlMs / 60_000))} minutes.`);
  });
}
