import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { html, type SafeHtml } from './html.ts';

/** The URL that starts a login with a provider. */
export function startUrl(providerId: string, returnTo: string): string {
  return `/v1/oauth/${encodeURIComponent(providerId)}/start?return_to=${encodeURIComponent(returnTo)}`;
}

/** "Continue with …" links, one per configured provider (nothing when none is configured). */
export function providerButtons(oauth: OAuthDeps | undefined, returnTo: string): SafeHtml {
  if (oauth === undefined || oauth.providers.size === 0) return html``;
  const links = [...oauth.providers.values()].map(
    (p) => html`<a class="button secondary provider" href="${startUrl(p.config.id, returnTo)}">Continue with ${p.config.displayName}</a>`,
  );
  return html`<div class="providers" aria-label="Other ways to log in"><p class="muted">or</p>${links}</div>`;
}
