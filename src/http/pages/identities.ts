import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { startFlow } from '../../core/oauth-client/start-flow.ts';
import { unlinkIdentity } from '../../core/oauth-client/unlink-identity.ts';
import { setFlowCookie } from '../oauth-flow-cookie.ts';
import { requestContext } from '../session-cookie.ts';
import { signedIn, signedInSession } from './signed-in.ts';
import { renderAccount } from './account-view.ts';
import { attempt } from './forms.ts';
import { redirectAfterPost } from './layout.ts';
import { redirectToReauth } from './reauth.ts';
import { sendOAuthFailure } from './oauth-failure.ts';

/** Link (a POST, so the app-wide origin check guards it) and unlink, from /account. */
export function identityPages(app: FastifyInstance, deps: CoreDeps, oauth: OAuthDeps): void {
  const preHandler = signedIn(deps, '/account');

  app.post<{ Params: { provider: string } }>(
    '/account/identities/link/:provider',
    { preHandler, schema: { tags: ['pages'], summary: 'Link a provider to the signed-in account: redirects to the provider.' } },
    async (request, reply) => {
      const current = signedInSession(request);
      if (!oauth.providers.has(request.params.provider)) return sendOAuthFailure(reply, oauth, request.params.provider, new AuthError('oauth_provider_unknown'), '/account');
      const result = await attempt(() => startFlow(deps, oauth, { providerId: request.params.provider, returnTo: '/account?done=identity-linked', linkFor: current, ip: request.ip }));
      if (!result.ok && result.code === 'reauthentication_required') return redirectToReauth(reply, '/account');
      if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
      const started = result.value;
      setFlowCookie(reply, started.cookieValue, started.expiresAtMs);
      return redirectAfterPost(reply, started.authorizationUrl);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/account/identities/:id/unlink',
    { preHandler, schema: { tags: ['pages'], summary: 'Unlink a provider identity (after a recent re-authentication).' } },
    async (request, reply) => {
      const current = signedInSession(request);
      const result = await attempt(() => unlinkIdentity(deps, current, request.params.id, undefined, requestContext(request), (id) => oauth.providers.get(id)?.config.displayName ?? id));
      // Not recently authenticated: confirm it is you first, then back to /account (docs/security.md SEC-227).
      if (!result.ok && result.code === 'reauthentication_required') return redirectToReauth(reply, '/account');
      if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
      return redirectAfterPost(reply, '/account?done=identity-unlinked');
    },
  );
}
