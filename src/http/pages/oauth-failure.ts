import type { FastifyReply } from 'fastify';
import type { AuthError } from '../../core/errors.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { html } from './html.ts';
import { sendPage } from './layout.ts';
import { startUrl } from './provider-buttons.ts';

/**
 * Where a failed social login lands: what happened in plain words, and a way to try again;
 * never a stack trace (the error code is shown for support).
 */
export function sendOAuthFailure(reply: FastifyReply, oauth: OAuthDeps | undefined, providerId: string, error: AuthError, returnTo: string | null): FastifyReply {
  const provider = oauth?.providers.get(providerId);
  const name = provider?.config.displayName ?? 'the provider';
  const retry =
    provider === undefined
      ? html``
      : error.code === 'oauth_account_exists'
        ? html`<a class="button" href="/login?return_to=${encodeURIComponent(returnTo ?? '/account')}">Log in with your password</a>`
        : html`<a class="button" href="${startUrl(provider.config.id, returnTo ?? '/account')}">Try again with ${name}</a>`;
  return sendPage(reply, error.status, {
    title: `Continuing with ${name} did not work`,
    body: html`<section class="card narrow" role="alert" aria-labelledby="oauth-error-title">
<h1 id="oauth-error-title">Continuing with ${name} did not work</h1>
<p>${error.message}</p>
<p>${retry} <a href="/login">Back to log in</a></p>
<p class="muted">Error code: <code>${error.code}</code></p>
</section>`,
  });
}
