import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { listIdentities } from '../../core/oauth-client/list-identities.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { startFlow } from '../../core/oauth-client/start-flow.ts';
import { unlinkIdentity } from '../../core/oauth-client/unlink-identity.ts';
import { isFreshLogin } from '../../core/oauth-client/delete-account-without-password.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { setFlowCookie } from '../oauth-flow-cookie.ts';
import { pageContentSecurityPolicy } from '../plugins/security-headers.ts';
import { requestContext } from '../session-cookie.ts';
import { renderAccount } from './account.ts';
import { attempt } from './forms.ts';
import { html, type SafeHtml } from './html.ts';
import { redirectAfterPost } from './layout.ts';
import { signedInOrRedirect } from './signed-in.ts';
import { sendOAuthFailure, startUrl } from './oauth.ts';

/**
 * The page CSP with each provider's authorization origin added to form-action: browsers apply
 * form-action to the redirects that follow a form POST, and "Link" posts, then redirects there.
 */
export function accountContentSecurityPolicy(oauth: OAuthDeps): string {
  const origins = new Set<string>();
  for (const p of oauth.providers.values()) {
    const endpoint = p.client.serverMetadata().authorization_endpoint;
    if (endpoint !== undefined) origins.add(new URL(endpoint).origin);
  }
  return pageContentSecurityPolicy.replace("form-action 'self'", ["form-action 'self'", ...origins].join(' '));
}

/** The "Linked logins" card of /account: each identity with an unlink button, and a link button per provider. */
export async function identitiesSection(deps: CoreDeps, oauth: OAuthDeps | undefined, current: SessionWithUser): Promise<SafeHtml> {
  if (oauth === undefined || oauth.providers.size === 0) return html``;
  const identities = await listIdentities(deps, current.user.id);
  const onlyWayIn = current.user.passwordHash === null && identities.length === 1;
  const name = (provider: string): string => oauth.providers.get(provider)?.config.displayName ?? provider;
  const rows = identities.map(
    (i) => html`<tr data-identity-id="${i.id}">
  <td>${name(i.provider)} <span class="badge">linked</span></td>
  <td data-label="Email there">${i.email ?? ''}</td>
  <td data-label="Last login"><time datetime="${new Date(i.lastLoginAtMs).toISOString()}">${new Date(i.lastLoginAtMs).toISOString().replace('T', ' ').slice(0, 16)} UTC</time></td>
  <td>${
    onlyWayIn
      ? html`<span class="muted">Your only way to log in</span>`
      : html`<form method="post" action="/account/identities/${i.id}/unlink"><button class="secondary" type="submit" aria-label="Unlink ${name(i.provider)}">Unlink</button></form>`
  }</td>
</tr>`,
  );
  // A provider already linked is shown as linked (with its unlink button), not offered again.
  const linked = new Set(identities.map((i) => i.provider));
  const links = [...oauth.providers.values()].filter((p) => !linked.has(p.config.id)).map(
    (p) => html`<form method="post" action="/account/identities/link/${p.config.id}"><button class="secondary" type="submit">Link ${p.config.displayName}</button></form>`,
  );
  return html`<section class="card" aria-labelledby="identities-title">
<h2 id="identities-title">Linked logins</h2>
${
  identities.length === 0
    ? html`<p class="muted">No provider is linked yet.</p>`
    : html`<table class="stack">
<thead><tr><th scope="col">Provider</th><th scope="col">Email there</th><th scope="col">Last login</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
${links.length === 0 ? '' : html`<div class="providers">${links}</div>`}
</section>`;
}

/**
 * "Delete account" for an account without a password: the re-authentication is a fresh login
 * with a provider (within five minutes), so the card either confirms or sends them to log in again.
 */
export function passwordlessDeleteSection(deps: CoreDeps, oauth: OAuthDeps | undefined, current: SessionWithUser): SafeHtml {
  const again = [...(oauth?.providers.values() ?? [])].map((p) => html`<a class="button secondary provider" href="${startUrl(p.config.id, '/account')}">Log in again with ${p.config.displayName}</a>`);
  return html`<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">Delete account</h2>
<p class="muted">This deletes your account and signs out every device. It cannot be undone.</p>
${
  isFreshLogin(deps, current)
    ? html`<form method="post" action="/account/delete"><button class="danger" type="submit">Delete my account</button></form>`
    : html`<p>Your account has no password, so confirm it is you by logging in again first (then you have five minutes).</p><div class="providers">${again}</div>`
}
</section>`;
}

/** Link (a POST, so the app-wide origin check guards it) and unlink, from /account. */
export function identityPages(app: FastifyInstance, deps: CoreDeps, oauth: OAuthDeps): void {
  const signedIn = (request: FastifyRequest, reply: FastifyReply): Promise<SessionWithUser | null> => signedInOrRedirect(deps, request, reply, '/account');

  app.post<{ Params: { provider: string } }>(
    '/account/identities/link/:provider',
    { schema: { tags: ['pages'], summary: 'Link a provider to the signed-in account: redirects to the provider.' } },
    async (request, reply) => {
      const current = await signedIn(request, reply);
      if (current === null) return reply;
      if (!oauth.providers.has(request.params.provider)) return sendOAuthFailure(reply, oauth, request.params.provider, new AuthError('oauth_provider_unknown'), '/account');
      const started = await startFlow(deps, oauth, { providerId: request.params.provider, returnTo: '/account?done=identity-linked', linkToUserId: current.user.id, ip: request.ip });
      setFlowCookie(reply, started.cookieValue, started.expiresAtMs);
      return redirectAfterPost(reply, started.authorizationUrl);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/account/identities/:id/unlink',
    { schema: { tags: ['pages'], summary: 'Unlink a provider identity.' } },
    async (request, reply) => {
      const current = await signedIn(request, reply);
      if (current === null) return reply;
      const result = await attempt(() => unlinkIdentity(deps, current.user, request.params.id, requestContext(request)));
      if (!result.ok) return renderAccount(deps, oauth, reply, current, result.status, undefined, result.message);
      return redirectAfterPost(reply, '/account?done=identity-unlinked');
    },
  );
}
