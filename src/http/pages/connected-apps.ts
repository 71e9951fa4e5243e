import type { FastifyInstance } from 'fastify';
import { revokeConnectedApp } from '../../core/connected-apps/connected-apps.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { requestContext } from '../session-cookie.ts';
import { renderAccount } from './account-view.ts';
import { attempt } from './forms.ts';
import { redirectAfterPost } from './layout.ts';
import { signedIn, signedInSession } from './signed-in.ts';

/** The revoke button of the "Connected apps" card on /account. */
export function connectedAppsPage(app: FastifyInstance, deps: CoreDeps, oauth?: OAuthDeps): void {
  app.post<{ Params: { clientId: string } }>(
    '/account/connected-apps/:clientId/revoke',
    { preHandler: signedIn(deps, '/account'), schema: { tags: ['pages'], summary: "Revoke an app's access: its consent, its refresh tokens, and a back-channel logout." } },
    async (request, reply) => {
      const current = signedInSession(request);
      const result = await attempt(() => revokeConnectedApp(deps, current.user, request.params.clientId, requestContext(request)));
      if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
      return redirectAfterPost(reply, '/account?done=app-revoked');
    },
  );
}
