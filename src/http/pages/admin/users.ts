import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { deleteAccountAsOperator } from '../../../core/accounts/delete-account.ts';
import { disableAccount, enableAccount } from '../../../core/accounts/set-account-disabled.ts';
import { userOverview } from '../../../core/console/user-overview.ts';
import type { CoreDeps } from '../../../core/deps.ts';
import { AuthError } from '../../../core/errors.ts';
import { markEmailVerified } from '../../../core/operators/mark-email-verified.ts';
import { resetSecondFactor } from '../../../core/operators/reset-second-factor.ts';
import { sendPasswordReset } from '../../../core/operators/send-password-reset.ts';
import type { SessionWithUser } from '../../../core/ports.ts';
import { revokeAllSessions } from '../../../core/sessions/revoke-all-sessions.ts';
import { revokeSession } from '../../../core/sessions/revoke-session.ts';
import { attempt } from '../forms.ts';
import { html } from '../html.ts';
import { alert, notice, redirectAfterPost } from '../layout.ts';
import { operatorContext, operatorOnly, operatorSession, recentOperatorAuthentication } from '../operator-only.ts';
import { sendConsolePage } from './console-layout.ts';
import { userPage, userTable } from './user-view.ts';

const pageSize = 25;

// Notices are chosen from this table by key; the query string is never echoed into the page.
const notices: Record<string, string> = {
  disabled: 'The account is disabled and every one of its sessions ended.',
  enabled: 'The account is enabled again.',
  'reset-sent': 'A password reset link is on its way to the address (unless the address had one very recently).',
  verified: 'The address is marked verified.',
  'session-revoked': 'The session is revoked: that device is signed out.',
  'sessions-revoked': 'Every session of the account is revoked.',
  'second-factor-reset': 'The authenticator app and the recovery codes are removed; the user was told by mail.',
};

type UserRequest = FastifyRequest<{ Params: { id: string; sessionId?: string } }>;

/** GET /admin/users (search) and /admin/users/:id (one user, with its actions). */
export function userPages(app: FastifyInstance, deps: CoreDeps): void {
  const operator = operatorOnly(deps);
  const userPath = (request: FastifyRequest): string => `/admin/users/${encodeURIComponent((request.params as { id: string }).id)}`;
  const fresh = [operator, recentOperatorAuthentication(deps, userPath)];

  const showUser = async (reply: FastifyReply, current: SessionWithUser, userId: string, status: number, message?: { notice?: string; error?: string }) => {
    const overview = await userOverview(deps, userId);
    if (overview === null) throw new AuthError('not_found', { detail: 'No such user.' });
    return sendConsolePage(reply, status, current, { title: overview.user.email, section: '/admin/users', body: html`${notice(message?.notice)}${alert(message?.error)}${userPage(overview)}` });
  };

  app.get<{ Querystring: { q?: string; after?: string; done?: string } }>(
    '/admin/users',
    {
      preHandler: operator,
      schema: { tags: ['pages'], summary: 'Console: users by email prefix, paged.', querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 320 }, after: { type: 'string', maxLength: 320 }, done: { type: 'string', maxLength: 40 } } } },
    },
    async (request, reply) => {
      const q = (request.query.q ?? '').trim().toLowerCase();
      const after = request.query.after;
      const users = await deps.store.userDirectory.search({ emailPrefix: q, limit: pageSize + 1, ...(after === undefined || after === '' ? {} : { afterEmail: after }) });
      const shown = users.slice(0, pageSize);
      const next = users.length > pageSize ? `/admin/users?q=${encodeURIComponent(q)}&after=${encodeURIComponent(shown.at(-1)!.email)}` : null;
      return sendConsolePage(reply, 200, operatorSession(request), {
        title: 'Users',
        section: '/admin/users',
        body: html`${notice(request.query.done === 'deleted' ? 'The account is deleted.' : undefined)}<section class="card" aria-labelledby="users-title"><h1 id="users-title">Users</h1>
<form method="get" action="/admin/users" role="search"><label for="user-q">Email starts with</label><input id="user-q" name="q" type="text" value="${q}" autocomplete="off"><button type="submit">Search</button></form>
${userTable(shown)}
${next === null ? '' : html`<p><a href="${next}">Next page</a></p>`}</section>`,
      });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/admin/users/:id',
    { preHandler: operator, schema: { tags: ['pages'], summary: "Console: one user's sessions, providers, factors, audit and actions." } },
    async (request, reply) => {
      const done = request.query.done;
      return showUser(reply, operatorSession(request), request.params.id, 200, { notice: done === undefined ? undefined : notices[done] });
    },
  );

  /** One action route: runs `action` (one core operation), then back to the user page with `done`. */
  const action = (path: string, summary: string, preHandler: typeof fresh | typeof operator, run: (request: UserRequest) => Promise<unknown>, done: (request: UserRequest) => string) =>
    app.post<{ Params: { id: string; sessionId?: string } }>(`/admin/users/:id${path}`, { preHandler, schema: { tags: ['pages'], summary: `Console: ${summary}` } }, async (request, reply) => {
      const result = await attempt(() => run(request));
      if (!result.ok) return showUser(reply, operatorSession(request), request.params.id, result.status, { error: result.message });
      if (result.value === false) throw new AuthError('not_found', { detail: 'No such user.' });
      const target = done(request);
      return redirectAfterPost(reply, target);
    });
  const back = (key: string) => (request: UserRequest) => `/admin/users/${encodeURIComponent(request.params.id)}?done=${key}`;

  // Destructive or trust-changing: a recent re-authentication first (docs/security.md SEC-273).
  action('/disable', 'disable the account (ends its sessions).', fresh, (r) => disableAccount(deps, r.params.id, operatorContext(r)), back('disabled'));
  action('/enable', 'enable the account again.', fresh, (r) => enableAccount(deps, r.params.id, operatorContext(r)), back('enabled'));
  action('/delete', 'delete the account.', fresh, (r) => deleteAccountAsOperator(deps, r.params.id, operatorContext(r)), () => '/admin/users?done=deleted');
  action('/reset-second-factor', 'remove the authenticator app and recovery codes.', fresh, (r) => resetSecondFactor(deps, r.params.id, operatorContext(r)), back('second-factor-reset'));
  action('/mark-email-verified', 'mark the email verified.', fresh, (r) => markEmailVerified(deps, r.params.id, operatorContext(r)), back('verified'));
  // Protective or harmless: no re-authentication, so an operator can stop an attack at once.
  action('/sessions/:sessionId/revoke', 'revoke one session.', operator, (r) => revokeSession(deps, r.params.id, r.params.sessionId ?? '', operatorContext(r)), back('session-revoked'));
  action('/sessions/revoke-all', 'revoke every session.', operator, (r) => revokeAllSessions(deps, r.params.id, operatorContext(r)), back('sessions-revoked'));
  action('/send-password-reset', 'mail a password reset link.', operator, (r) => sendPasswordReset(deps, r.params.id, operatorContext(r)), back('reset-sent'));
}
