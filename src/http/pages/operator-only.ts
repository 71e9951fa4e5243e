import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { CoreDeps, RequestContext } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { operatorAccess } from '../../core/operators/operator-access.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { isRecentlyAuthenticated } from '../../core/sessions/recent-authentication.ts';
import { currentSession, requestContext } from '../session-cookie.ts';

const operatorSessions = new WeakMap<FastifyRequest, SessionWithUser>();

/**
 * The one "signed-in operator with a second factor" check, as a fastify `preHandler`, for the
 * console at /admin and any other operator-only page (docs/security.md SEC-270..274):
 * - no session, or a user who is not an operator: the same 404 as any unknown URL, so the
 *   console is invisible to the public and to ordinary users;
 * - an operator without a second factor: 403 `operator_second_factor_required`;
 * - an operator with one, in a session that did not use it (a password alone): 403
 *   `step_up_required` (SEC-167);
 * - a console idle for longer than `sessionPolicy.consoleIdleTimeoutMs`: 303 to the
 *   re-authentication form, which comes back here (to `home` after a form POST).
 * Read the operator's session in the handler with `operatorSession(request)`.
 */
export function operatorOnly(deps: CoreDeps, home = '/admin'): preHandlerAsyncHookHandler {
  return async function requireOperator(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const current = await currentSession(deps, request);
    if (current === null) throw new AuthError('not_found');
    const access = await operatorAccess(deps, current);
    if (access === 'not_operator') throw new AuthError('not_found');
    if (access === 'no_second_factor') throw new AuthError('operator_second_factor_required');
    if (access === 'step_up') throw new AuthError('step_up_required', { detail: 'The console needs a session that used your second factor: log out, then log in with your passkey, or with your password and authenticator code.' });
    if (access === 'idle') {
      const back = request.method === 'GET' ? request.url : home;
      return reply.redirect(`/account/reauth?return_to=${encodeURIComponent(back)}`, 303);
    }
    operatorSessions.set(request, current);
    return undefined;
  };
}

/** The operator's session that the route's `operatorOnly()` preHandler let through. Throws when the route has none. */
export function operatorSession(request: FastifyRequest): SessionWithUser {
  const current = operatorSessions.get(request);
  if (current === undefined) throw new Error(`${request.method} ${request.url}: the route has no operatorOnly() preHandler`);
  return current;
}

/** The request's context with the operator as the actor, so the audit trail records who acted on whose account. */
export function operatorContext(request: FastifyRequest): RequestContext {
  return { ...requestContext(request), actorId: operatorSession(request).user.id };
}

/**
 * For destructive console actions, after `operatorOnly()`: the operator must have logged in or
 * re-authenticated within `sessionPolicy.reauthWindowMs` (docs/security.md SEC-273), the window
 * of every other sensitive change; otherwise 303 to the re-authentication form, which comes
 * back to `returnTo(request)` (the page of the action, where the operator presses it again).
 */
export function recentOperatorAuthentication(deps: CoreDeps, returnTo: (request: FastifyRequest) => string): preHandlerAsyncHookHandler {
  return async function requireRecentOperatorAuthentication(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (isRecentlyAuthenticated(deps, operatorSession(request))) return undefined;
    return reply.redirect(`/account/reauth?return_to=${encodeURIComponent(returnTo(request))}`, 303);
  };
}
