import type { FastifyReply } from 'fastify';
import type { AuthError } from '../../core/errors.ts';
import type { ProviderFailureDiagnosis } from '../../core/oauth-client/describe-provider-failure.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { html, type SafeHtml } from './html.ts';
import { sendPage } from './layout.ts';
import { startUrl } from './provider-buttons.ts';

/** Dev mode only: the same diagnosis the server log has, so a developer sees which check failed. */
function operatorDetails(diagnosis: ProviderFailureDiagnosis): SafeHtml {
  const rows: Array<[string, string | undefined]> = [
    ['Provider', diagnosis.provider],
    ['Issuer', diagnosis.issuer],
    ['Check', diagnosis.check],
    ['Reason', diagnosis.reason],
    ['Claim', diagnosis.claim],
    ['Expected', diagnosis.expected],
    ['Received', diagnosis.received],
  ];
  return html`<details open class="operator-details"><summary>For the developer (dev mode only)</summary>
<dl>${rows.filter((row): row is [string, string] => row[1] !== undefined).map(([name, value]) => html`<dt>${name}</dt><dd><code>${value}</code></dd>`)}</dl>
</details>`;
}

/**
 * Where a failed social login lands: what happened in plain words, and a way to try again;
 * never a stack trace (the error code is shown for support).
 */
export function sendOAuthFailure(
  reply: FastifyReply,
  oauth: OAuthDeps | undefined,
  providerId: string,
  error: AuthError,
  returnTo: string | null,
  diagnosis: ProviderFailureDiagnosis | null = null,
): FastifyReply {
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
${diagnosis === null ? html`` : operatorDetails(diagnosis)}
</section>`,
  });
}
