import type { FastifyReply } from 'fastify';
import type { RedirectTarget } from '../core/oauth-provider/parse-authorization-request.ts';
import { sendSeeOtherDirect } from './direct-reply.ts';
import { html } from './pages/html.ts';
import { sendPage } from './pages/layout.ts';

/**
 * The form_post page may only post to the client's redirect URI and run our one same-origin
 * script, which submits it; nothing may frame it (docs/security.md SEC-206).
 */
function formPostPolicy(redirectUri: string): string {
  const url = new URL(redirectUri);
  const target = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  return `default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action ${target}; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`;
}

/**
 * Sends the authorization response (a code, or an error) to the client's registered redirect
 * URI, with RFC 9207 `iss` in every response so a client talking to several servers can tell
 * which one answered (mix-up, SEC-201). `query`: a 303 with the parameters added to the URI's
 * own query (after one of our own pages, a page that continues there by the Refresh header). `form_post` (OAuth 2.0 Form Post Response Mode): a page whose form posts them,
 * submitted by a same-origin script, with a visible button when scripts do not run.
 *
 * @example
 * sendAuthorizationResponse(reply, target, issuer, { code });
 */
export function sendAuthorizationResponse(reply: FastifyReply, target: RedirectTarget, issuer: string, values: Record<string, string>, options: { noCookieSet?: boolean } = {}): FastifyReply {
  const params: Array<[string, string]> = Object.entries(values);
  if (target.state !== null) params.push(['state', target.state]);
  params.push(['iss', issuer]);
  reply.header('cache-control', 'no-store');
  if (target.responseMode === 'form_post') {
    reply.header('content-security-policy', formPostPolicy(target.redirectUri));
    return sendPage(reply, 200, {
      title: 'Continue',
      body: html`<section class="card narrow"><h1>Continue to the app</h1>
<form method="post" action="${target.redirectUri}" data-auto-submit>${params.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Continue</button></form></section>
<script src="/assets/form-post.js"></script>`,
    });
  }
  const url = new URL(target.redirectUri);
  for (const [name, value] of params) url.searchParams.append(name, value);
  if (reply.request.method === 'GET' && reply.request.headers['sec-fetch-site'] === 'same-origin') {
    // Reached from one of our own pages, typically the redirect after the login form's POST:
    // browsers apply that form's `form-action 'self'` to every redirect that follows it, so a 303
    // to the app would be blocked. The Refresh header starts a new navigation, which is not.
    reply.header('refresh', `0;url=${url.href}`);
    return sendPage(reply, 200, {
      title: 'Continue',
      body: html`<section class="card narrow" data-authorize="continue"><h1>Continue to the app</h1><p><a href="${url.href}">Continue</a></p></section>`,
    });
  }
  // The caller knows no cookie waits for the cookie plugin's onSend hook: written at once, byte
  // for byte the pipeline's 303 (direct-reply.ts). HEAD goes through the pipeline.
  if (options.noCookieSet === true && reply.server.directReplies && reply.request.method !== 'HEAD') {
    sendSeeOtherDirect(reply, url.href);
    return reply;
  }
  return reply.code(303).header('location', url.href).send();
}
