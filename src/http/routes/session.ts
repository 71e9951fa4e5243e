import type { FastifyInstance } from 'fastify';
import { logIn } from '../../core/credentials/log-in.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { logOut } from '../../core/sessions/log-out.ts';
import { credentialsBody, errorResponses, sessionBody, userAndSessionResponse, userBody } from '../schemas.ts';
import { clearSessionCookie, currentSession, requestContext, requireSession, setSessionCookie } from '../session-cookie.ts';

/** The current session: log in, look at it, log out. */
export function sessionRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string; password: string } }>(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with email and password; sets the session cookie.',
        body: credentialsBody,
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const previous = await currentSession(deps, request);
      const input = previous === null ? request.body : { ...request.body, previousSession: previous };
      const { user, session, token } = await logIn(deps, input, requestContext(request));
      setSessionCookie(reply, token, session.expiresAtMs);
      return { user: userBody(user), session: sessionBody(session, deps.sessionPolicy.idleTimeoutMs, session.id) };
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
