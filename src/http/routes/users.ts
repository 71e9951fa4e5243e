import type { FastifyInstance } from 'fastify';
import { signUp } from '../../core/accounts/sign-up.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { checkEmailResponse, credentialsBody, errorResponses } from '../schemas.ts';
import { requestContext } from '../session-cookie.ts';

export function userRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string; password: string } }>(
    '/v1/users',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Sign up with email and password.',
        description:
          'Answers 202 with the same body whether or not the address already has an account (nothing tells them apart). A new address gets an account and a verification link by mail; an address with an account gets a mail telling its owner. No session is started: verify the address (when required), then log in with POST /v1/session.',
        body: credentialsBody,
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { email } = await signUp(deps, request.body, requestContext(request));
      return reply.code(202).send({ status: 'check_email', email });
    },
  );
}
