import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { listIdentities } from '../../core/oauth-client/list-identities.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { startFlow } from '../../core/oauth-client/start-flow.ts';
import { unlinkIdentity } from '../../core/oauth-client/unlink-identity.ts';
import { isRecentlyAuthenticated } from '../../core/sessions/recent-authentication.ts';
import { redirectToReauth } from './reauth.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { setFlowCookie } from '../oauth-flow-cookie.ts';
import { pageContentSecurityPolicy } from '../plugins/security-headers.ts';
import { currentSession, requestContext } from '../session-cookie.ts';
import { renderAccount } from './account.ts';
import { attempt } from './forms.ts';
import { html, type SafeHtml } from './html.ts';
import { redirectAfterPost } from './layout.ts';
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
  <td>${name(i.provider)}</td>
  <td>${i.email ?? ''}</td>
  <td><time datetime="${new Date(i.lastLoginAtMs).toISOString()}">${new Date(i.lastLoginAtMs).toISOString().replace('T', ' ').slice(0, 16)} UTC</time></td>
  <td>${
    onlyWayIn
      ? html`<span class="muted">Your only way to log in</span>`
      : html`<form method="post" action="/account/identities/${i.id}/unlink"><button class="secondary" type="submit" aria-label="Unlink ${name(i.provider)}">Unlink</button></form>`
  }</td>
</tr>`,
  );
  const links = [...oauth.providers.values()].map(
    (p) => html`<form method="post" action="/account/identities/link/${p.config.id}"><button class="secondary" type="submit">Link ${p.config.displayName}</button></form>`,
  );
  return html`<section class="card" aria-labelledby="identities-title">
<h2 id="identities-title">Linked logins</h2>
${
  identities.length === 0
    ? html`<p class="muted">No provider is linked yet.</p>`
    : html`<table>
<thead><tr><th scope="col">Provider</th><th scope="col">Email there</th><th scope="col">Last login</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${rows}</tbody>
</table>`
}
<div class="providers">${links}</div>
</section>`;
}

/**
 * "Delete account" for an account without a password: the re-authentication is a recent login
 * with a provider, or an emailed code (docs/security.md SEC-100), so the card either confirms or
 * sends them to confirm first.
 */
export function passwordlessDeleteSection(deps: CoreDeps, oauth: OAuthDeps | undefined, current: SessionWithUser): SafeHtml {
  const again = [
    html`<a class="button secondary" href="/account/reauth?return_to=%2Faccount">Confirm with an emailed code</a>`,
    ...[...(oauth?.providers.values() ?? [])].map((p) => html`<a class="button secondary provider" href="${startUrl(p.config.id, '/account')}">Log in again with ${p.config.displayName}</a>`),
  ];
  return html`<section class="card" aria-labelledby="delete-title">
<h2 id="delete-title">Delete account</h2>
<p class="muted">This deletes your account and signs out every device. It cannot be undone.</p>
${
  isRecentlyAuthenticated(deps, current)
    ? html`<form method="post" action="/account/delete"><button class="danger" type="submit">Delete my account</button></form>`
    : html`<p>Your account has no password, so confirm it is you first (then you have ${String(Math.round(deps.sessionPolicy.reauthWindowMs / 60_000))} minutes).</p><div class="providers">${again}</div>`
}
</section>`;
}

/** Link (a POST, so the app-wide origin check guards it) and unlink, from /account. */
export function identityPages(app: FastifyInstance, deps: CoreDeps, oauth: OAuthDeps): void {
  const signedIn = async (request: FastifyRequest, reply: FastifyReply): Promise<SessionWithUser | null> => {
    const current = await currentSession(deps, request);
    if (current === null) await reply.redirect('/login?return_to=%2Faccount', 303);
    return current;
  };

  app.post<{ Params: { provider: string } }>(
    '/account/identities/link/:provider',
    { schema: { tags: ['pages'], summary: 'Link a provider to the signed-in account: redirects to the provider.' } },
    async (request, reply) => {
      const current = await signedIn(request, reply);
      if (current === null) return reply;
      if (!oauth.providers.has(request.params.provider)) return sendOAuthFailure(reply, oauth, request.params.provider, new AuthError('oauth_provider_unknown'), '/account');
      const result = await attempt(() => startFlow(deps, oauth, { providerId: request.params.provider, returnTo: '/account?done=identity-linked', linkFor: current, ip: request.ip }));
      if (!result.ok && result.code === 'reauthentication_required') return redirectToReauth(reply, '/account');
      if (!result.ok) return renderAccount(deps, oauth, reply, current, result.status, undefined, result.message);
      const started = result.value;
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
