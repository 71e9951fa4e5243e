import type { FastifyInstance } from 'fastify';
import { updateProfile } from '../../core/accounts/update-profile.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { requestContext } from '../session-cookie.ts';
import { renderAccount } from './account-view.ts';
import { attempt, field } from './forms.ts';
import { redirectAfterPost } from './layout.ts';
import { signedIn, signedInSession } from './signed-in.ts';

/** The profile form of /account (the API twin is PATCH /v1/me, routes/me-profile.ts). */
export function profilePage(app: FastifyInstance, deps: CoreDeps, oauth?: OAuthDeps): void {
  app.post('/account/profile', { preHandler: signedIn(deps, '/account'), schema: { tags: ['pages'], summary: 'Save the profile.' } }, async (request, reply) => {
    const current = signedInSession(request);
    // The form always sends every field: an empty one clears it.
    const values = {
      name: field(request.body, 'name'),
      givenName: field(request.body, 'givenName'),
      familyName: field(request.body, 'familyName'),
      picture: field(request.body, 'picture'),
      locale: field(request.body, 'locale'),
    };
    const result = await attempt(() => updateProfile(deps, current.user, values, requestContext(request)));
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message, profileValues: values });
    return redirectAfterPost(reply, '/account?done=profile-saved');
  });
}
