import type { FastifyInstance } from 'fastify';
import { beginLogin } from '../../core/credentials/begin-login.ts';
import { completeSecondFactor } from '../../core/credentials/complete-second-factor.ts';
import { AuthError } from '../../core/errors.ts';
import { problem, sendProblem } from '../plugins/problem.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { logOut } from '../../core/sessions/log-out.ts';
import { credentialsBody, errorResponses, sessionBody, userAndSessionResponse, userBody } from '../schemas.ts';
import { clearPendingLoginCookie, clearSessionCookie, currentSession, readPendingLoginToken, requestContext, requireSession, setPendingLoginCookie, setSessionCookie } from '../session-cookie.ts';

/** The current session: log in, look at it, log out. */
export function sessionRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string; password: string } }>(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with email and password; sets the session cookie.',
        description:
          'An account with two-factor authentication gets 401 `second_factor_required` and a 5-minute pending-login cookie instead: no session, no token. Send the code to POST /v1/session/second-factor.',
        body: credentialsBody,
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const previous = await currentSession(deps, request);
      const input = previous === null ? request.body : { ...request.body, previousSession: previous };
      const step = await beginLogin(deps, input, requestContext(request));
      if (step.kind === 'second_factor') {
        setPendingLoginCookie(reply, step.pendingToken);
        return sendProblem(reply, problem('second_factor_required', { detail: 'Send a TOTP code or a recovery code to POST /v1/session/second-factor.' }));
      }
      setSessionCookie(reply, step.token, step.session.expiresAtMs);
      return { user: userBody(step.user), session: sessionBody(step.session, deps.sessionPolicy.idleTimeoutMs, step.session.id) };
    },
  );

  app.post<{ Body: { code?: string; recoveryCode?: string } }>(
    '/v1/session/second-factor',
    {
      schema: {
        tags: ['session'],
        summary: 'Finish a login with a TOTP code or a recovery code; sets the session cookie.',
        description: 'Needs the pending-login cookie from POST /v1/session. Wrong codes are capped per account (429 with Retry-After).',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { code: { type: 'string', minLength: 1, maxLength: 16 }, recoveryCode: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const pendingToken = readPendingLoginToken(request);
      if (pendingToken === undefined) throw new AuthError('no_pending_login');
      const { code, recoveryCode } = request.body;
      const proof = code !== undefined ? { code } : { recoveryCode: recoveryCode ?? '' };
      const previous = await currentSession(deps, request);
      const done = await completeSecondFactor(deps, { pendingToken, proof, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request));
      clearPendingLoginCookie(reply);
      setSessionCookie(reply, done.token, done.session.expiresAtMs);
      return { user: userBody(done.user), session: sessionBody(done.session, deps.sessionPolicy.idleTimeoutMs, done.session.id) };
    },
  );

  app.get(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'The current user and session, or 401.',
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request) => {
      const { user, session } = await requireSession(deps, request);
      return { user: userBody(user), session: sessionBody(session, deps.sessionPolicy.idleTimeoutMs, session.id) };
    },
  );

  app.delete(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out: ends the current session and clears the cookie.',
        response: { 204: { type: 'null', description: 'Logged out.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await logOut(deps, current, requestContext(request));
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );
}
