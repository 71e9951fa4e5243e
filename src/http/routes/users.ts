import type { FastifyInstance } from 'fastify';
import { signUp } from '../../core/accounts/sign-up.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { credentialsBody, errorResponses, sessionBody, userAndSessionResponse, userBody } from '../schemas.ts';
import { requestContext, setSessionCookie } from '../session-cookie.ts';

export function userRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string; password: string } }>(
    '/v1/users',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign up with email and password; logs the new account in.',
        body: credentialsBody,
        response: { 201: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user, session, token } = await signUp(deps, request.body, requestContext(request));
      setSessionCookie(reply, token, session.expiresAtMs);
      return reply.code(201).send({ user: userBody(user), session: sessionBody(session, deps.sessionPolicy.idleTimeoutMs, session.id) });
    },
  );
}
