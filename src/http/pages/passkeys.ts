import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { removePasskey, renamePasskey } from '../../core/passkeys/manage-passkeys.ts';
import { finishPasskeyLogin } from '../../core/passkeys/passkey-login.ts';
import { completePasskeySecondFactor } from '../../core/passkeys/passkey-second-factor.ts';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../core/passkeys/register-passkey.ts';
import type { RequestContext } from '../../core/deps.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { redirectToReauth } from './reauth.ts';
import type { AppConfig } from '../app-config.ts';
import { takePasskeyCeremonyCookie } from '../passkey-cookies.ts';
import { safeReturnTo } from '../return-to.ts';
import { clearPendingLoginCookie, currentSession, readPendingLoginToken, requestContext, setSessionCookie } from '../session-cookie.ts';
import { renderAccount } from './account-view.ts';
import { attempt, field } from './forms.ts';
import { html } from './html.ts';
import { alert, redirectAfterPost, sendPage } from './layout.ts';
import { offerPasskey, passkeyRegisterForm, postedAnswer } from './passkey-forms.ts';
import { signedIn, signedInSession } from './signed-in.ts';

async function renderNewPasskey(deps: CoreDeps, reply: FastifyReply, current: SessionWithUser, context: RequestContext, status: number, message?: string): Promise<FastifyReply> {
  const started = await attempt(() => startPasskeyRegistration(deps, current, context));
  // Not recently authenticated: confirm it is you first, then back here (docs/security.md SEC-187).
  if (!started.ok) return redirectToReauth(reply, '/account/passkeys/new');
  const { ceremonyToken, options } = started.value;
  offerPasskey(reply, ceremonyToken);
  return sendPage(reply, status, {
    title: 'Add a passkey',
    signedInAs: current.user.email,
    body: html`<section class="card narrow" aria-labelledby="new-passkey-title">
<h1 id="new-passkey-title">Add a passkey</h1>
${alert(message)}
<p>Your browser or phone will ask for your fingerprint, face or PIN, and keep the passkey.</p>
${passkeyRegisterForm(options, '/account/passkeys')}
<noscript><p class="alert">Adding a passkey needs JavaScript.</p></noscript>
<p class="muted"><a href="/account">Back to your account</a></p>
</section>`,
  });
}

/**
 * The passkey pages: adding one (/account/passkeys/new), renaming and removing from /account,
 * and the POSTs of the passkey buttons on /login and on the second step. A refused passkey
 * login goes back to its page with a fixed message (never the reason: that is in the audit).
 */
export function passkeyPages(app: FastifyInstance, deps: CoreDeps, config: AppConfig, oauth?: OAuthDeps): void {
  const preHandler = signedIn(deps, '/account');
  const target = (value: string): string => safeReturnTo(value, config.publicUrl, config.allowedReturnOrigins);

  app.get('/account/passkeys/new', { preHandler: signedIn(deps, '/account/passkeys/new'), schema: { tags: ['pages'], summary: 'Add a passkey: name it and create it.' } }, async (request, reply) =>
    renderNewPasskey(deps, reply, signedInSession(request), requestContext(request), 200),
  );

  app.post('/account/passkeys', { preHandler, schema: { tags: ['pages'], summary: 'Add a passkey: the browser’s answer.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
    const response = postedAnswer<RegistrationResponseJSON>(field(request.body, 'response'));
    const result = await attempt(async () => {
      if (response === null) throw new AuthError('passkey_registration_failed');
      return finishPasskeyRegistration(deps, current, { ceremonyToken, name: field(request.body, 'name'), response }, requestContext(request));
    });
    if (!result.ok) return renderNewPasskey(deps, reply, current, requestContext(request), result.status, result.message);
    return redirectAfterPost(reply, '/account?done=passkey-added');
  });

  app.post<{ Params: { id: string } }>('/account/passkeys/:id/rename', { preHandler, schema: { tags: ['pages'], summary: 'Rename a passkey.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => renamePasskey(deps, current.user, request.params.id, field(request.body, 'name'), requestContext(request)));
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
    return redirectAfterPost(reply, '/account?done=passkey-renamed');
  });

  app.post<{ Params: { id: string } }>('/account/passkeys/:id/remove', { preHandler, schema: { tags: ['pages'], summary: 'Remove a passkey (after a recent re-authentication).' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => removePasskey(deps, current, request.params.id, undefined, requestContext(request)));
    // Not recently authenticated: confirm it is you first, then back to /account (docs/security.md SEC-227).
    if (!result.ok && result.code === 'reauthentication_required') return redirectToReauth(reply, '/account');
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
    return redirectAfterPost(reply, '/account?done=passkey-removed');
  });

  app.post('/login/passkey', { schema: { tags: ['pages'], summary: 'Log in with a passkey: the browser’s answer (button or autofill).' } }, async (request, reply) => {
    const returnTo = target(field(request.body, 'return_to'));
    const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
    const response = postedAnswer<AuthenticationResponseJSON>(field(request.body, 'response'));
    const previous = await currentSession(deps, request);
    const result =
      response === null
        ? ({ ok: false } as const)
        : await attempt(() => finishPasskeyLogin(deps, { ceremonyToken, response, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request)));
    // The right passkey of an account whose address is not verified yet (requireVerifiedEmail,
    // docs/security.md SEC-228): the page says to open the mailed link, as the password login does.
    if (!result.ok) {
      const done = 'code' in result && result.code === 'email_not_verified' ? 'passkey-unverified' : 'passkey-failed';
      return redirectAfterPost(reply, `/login?done=${done}&return_to=${encodeURIComponent(returnTo)}`);
    }
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, returnTo);
  });

  app.post('/login/second-factor/passkey', { schema: { tags: ['pages'], summary: 'Second step of a login with a passkey: the browser’s answer.' } }, async (request, reply) => {
    const returnTo = target(field(request.body, 'return_to'));
    const pendingToken = readPendingLoginToken(request);
    if (pendingToken === undefined) return redirectAfterPost(reply, '/login');
    const ceremonyToken = takePasskeyCeremonyCookie(request, reply);
    const response = postedAnswer<AuthenticationResponseJSON>(field(request.body, 'response'));
    const previous = await currentSession(deps, request);
    const result =
      response === null
        ? ({ ok: false } as const)
        : await attempt(() => completePasskeySecondFactor(deps, { pendingToken, ceremonyToken, response, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request)));
    // The second-step page says the passkey was refused and offers every method again (or, when
    // the pending login is gone, sends the browser back to the login page).
    if (!result.ok) return redirectAfterPost(reply, `/login/second-factor?done=passkey-failed&return_to=${encodeURIComponent(returnTo)}`);
    clearPendingLoginCookie(reply);
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, returnTo);
  });
}
