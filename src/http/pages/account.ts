import type { FastifyInstance } from 'fastify';
import { changePassword } from '../../core/accounts/change-password.ts';
import { deleteAccount } from '../../core/accounts/delete-account.ts';
import type { CoreDeps } from '../../core/deps.ts';
import type { OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { revokeOtherSessions } from '../../core/sessions/revoke-other-sessions.ts';
import { revokeSession } from '../../core/sessions/revoke-session.ts';
import { clearSessionCookie, requestContext, setSessionCookie } from '../session-cookie.ts';
import { signedIn, signedInSession } from './signed-in.ts';
import { redirectAfterPost } from './layout.ts';
import { attempt, field } from './forms.ts';
import { renderAccount } from './account-view.ts';
import { reauthProof } from '../reauth-proof.ts';
import { redirectToReauth } from './reauth.ts';

// Notices are chosen from this table by key; the query string is never echoed into the page.
const notices: Record<string, string> = {
  'session-revoked': 'The session was revoked. That device is signed out.',
  'others-revoked': 'Every other session was revoked.',
  'password-changed': 'Password changed. Every other device was signed out.',
  'identity-linked': 'The provider is linked: you can now log in with it.',
  'identity-unlinked': 'The provider is unlinked: it no longer logs in to this account.',
  'email-changed': 'Your email address is changed. Every other device was signed out.',
  'passkey-added': 'The passkey is added: you can now log in with it.',
  'passkey-renamed': 'The passkey is renamed.',
  'app-revoked': 'The app is disconnected: it was logged out and must ask again to use your account.',
  'profile-saved': 'Your profile is saved.',
  'passkey-removed': 'The passkey is removed: it no longer logs in to this account.',
};

export function accountPage(app: FastifyInstance, deps: CoreDeps, oauth?: OAuthDeps): void {
  const preHandler = signedIn(deps, '/account');

  app.get<{ Querystring: { done?: string } }>('/account', { preHandler, schema: { tags: ['pages'], summary: 'Account page: sessions and password.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const done = request.query.done;
    return renderAccount(reply, { deps, oauth, current, status: 200, notice: done === undefined ? undefined : notices[done] });
  });

  app.post<{ Params: { id: string } }>('/account/sessions/:id/revoke', { preHandler, schema: { tags: ['pages'], summary: 'Revoke one session.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => revokeSession(deps, current.user.id, request.params.id, requestContext(request)));
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
    if (request.params.id === current.session.id) {
      clearSessionCookie(reply);
      return redirectAfterPost(reply, '/login');
    }
    return redirectAfterPost(reply, '/account?done=session-revoked');
  });

  app.post('/account/sessions/revoke-others', { preHandler, schema: { tags: ['pages'], summary: 'Revoke every other session.' } }, async (request, reply) => {
    const current = signedInSession(request);
    await revokeOtherSessions(deps, current, requestContext(request));
    return redirectAfterPost(reply, '/account?done=others-revoked');
  });

  app.post('/account/password', { preHandler, schema: { tags: ['pages'], summary: 'Change the password.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const input = { currentPassword: field(request.body, 'currentPassword'), newPassword: field(request.body, 'newPassword') };
    const result = await attempt(() => changePassword(deps, current, input, requestContext(request)));
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
    setSessionCookie(reply, result.value.token, result.value.session.expiresAtMs);
    return redirectAfterPost(reply, '/account?done=password-changed');
  });

  app.post('/account/delete', { preHandler, schema: { tags: ['pages'], summary: 'Delete the account.' } }, async (request, reply) => {
    const current = signedInSession(request);
    const result = await attempt(() => deleteAccount(deps, current, reauthProof({ password: field(request.body, 'password') }), requestContext(request)));
    if (!result.ok && result.code === 'reauthentication_required') return redirectToReauth(reply, '/account');
    if (!result.ok) return renderAccount(reply, { deps, oauth, current, status: result.status, error: result.message });
    clearSessionCookie(reply);
    return redirectAfterPost(reply, '/signup');
  });
}
