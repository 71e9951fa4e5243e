import type { FastifyReply } from 'fastify';
import type { AuthorizationPageError } from '../../core/oauth-provider/parse-authorization-request.ts';
import { describeScope } from '../../core/oauth-provider/scopes.ts';
import { pageContentSecurityPolicy } from '../plugins/security-headers.ts';
import type { Client, SessionWithUser } from '../../core/ports.ts';
import { html } from './html.ts';
import { sendPage } from './layout.ts';

// Chosen by reason; nothing from the request is echoed, and nothing redirects (SEC-200).
const pageErrors: Record<AuthorizationPageError | 'expired_request', string> = {
  missing_client_id: 'The app that sent you here did not say which app it is (client_id).',
  unknown_client: 'The app that sent you here is not registered with Gatehouse.',
  missing_redirect_uri: 'The app that sent you here did not say where to send you back (redirect_uri).',
  unregistered_redirect_uri: 'The app asked to send you back to an address it has not registered, so you were not sent anywhere.',
  repeated_parameter: 'The request names the app or its return address more than once.',
  invalid_request_uri: 'This sign-in request (request_uri) is unknown, already used, expired, or belongs to another app. Go back to the app and start again.',
  expired_request: 'This sign-in request is unknown or has expired. Go back to the app and start again.',
};

/** The authorization endpoint's own error page: shown, never redirected (docs/security.md SEC-200). */
export function authorizationErrorPage(reply: FastifyReply, reason: AuthorizationPageError | 'expired_request'): FastifyReply {
  return sendPage(reply, 400, {
    title: 'Sign-in request refused',
    body: html`<section class="card narrow" role="alert" data-authorize="refused" data-reason="${reason}"><h1>This sign-in request cannot be completed</h1>
<p>${pageErrors[reason]}</p>
<p><a href="/account">Go to your account</a></p></section>`,
  });
}

/**
 * The consent page: names the app and what it asks for, in plain words. It posts (same-origin,
 * like every form: the CSRF check of plugins/csrf.ts) to /oauth2/authorize/consent, and like
 * every page it cannot be framed (frame-ancestors 'none', X-Frame-Options DENY: SEC-206).
 */
export function consentPage(reply: FastifyReply, client: Client, scopes: readonly string[], current: SessionWithUser, requestId: string, redirectUri: string): FastifyReply {
  // Browsers apply form-action to the redirects that follow a form POST: the answer redirects to
  // the app, so its origin is allowed too (a custom scheme of a native app: the scheme).
  const target = new URL(redirectUri);
  const appOrigin = target.protocol === 'http:' || target.protocol === 'https:' ? target.origin : target.protocol;
  reply.header('content-security-policy', pageContentSecurityPolicy.replace("form-action 'self'", `form-action 'self' ${appOrigin}`));
  return sendPage(reply, 200, {
    title: `Allow ${client.name}?`,
    signedInAs: current.user.email,
    body: html`<section class="card narrow" data-authorize="consent"><h1>Allow ${client.name} to use your Gatehouse account?</h1>
<p>${client.name} asks to:</p>
<ul class="scopes">${scopes.map((scope) => html`<li data-scope="${scope}">${describeScope(scope, client.audience)}</li>`)}</ul>
<p class="muted">You are signed in as ${current.user.email}. You can take this back at any time under “Connected apps” on your account page.</p>
<form method="post" action="/oauth2/authorize/consent">
  <input type="hidden" name="request" value="${requestId}">
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form></section>`,
  });
}
