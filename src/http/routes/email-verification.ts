import type { FastifyInstance } from 'fastify';
import { requestVerificationEmail } from '../../core/accounts/request-verification-email.ts';
import { verifyEmail } from '../../core/accounts/verify-email.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { normalizeEmail } from '../../core/accounts/normalize-email.ts';
import { checkEmailResponse, emailBody, errorResponses } from '../schemas.ts';
import { requestContext } from '../session-cookie.ts';

/** Email verification: confirm a mailed link, or ask for a new one. */
export function emailVerificationRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string } }>(
    '/v1/email-verification',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Mail a new verification link.',
        description: 'Answers 202 alike whether or not the address has an unverified account; a link is mailed only when it does. At most one mail a minute and ten a day per address.',
        body: emailBody,
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requestVerificationEmail(deps, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'check_email', email: normalizeEmail(request.body.email) ?? request.body.email });
    },
  );

  app.post<{ Body: { token: string } }>(
    '/v1/email-verification/confirm',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Confirm the address with the token of a verification link (single use).',
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 256 } } },
        response: {
          200: { type: 'object', required: ['email', 'verified'], properties: { email: { type: 'string' }, verified: { type: 'boolean', enum: [true] } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { email } = await verifyEmail(deps, request.body.token, requestContext(request));
      return { email, verified: true };
    },
  );
}
