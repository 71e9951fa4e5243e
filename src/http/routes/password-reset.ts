import type { FastifyInstance } from 'fastify';
import { normalizeEmail } from '../../core/accounts/normalize-email.ts';
import { requestPasswordReset } from '../../core/accounts/request-password-reset.ts';
import { resetPassword } from '../../core/accounts/reset-password.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { checkEmailResponse, emailBody, errorResponses } from '../schemas.ts';
import { requestContext } from '../session-cookie.ts';

/** Password reset: ask for a link, then set a new password with its token. */
export function passwordResetRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string } }>(
    '/v1/password-reset',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Mail a password reset link.',
        description:
          'Answers 202 with the same body whether or not the address has an account. An account gets a single-use link valid 30 minutes; an address without one gets a note saying so. The link always points at the configured public URL.',
        body: emailBody,
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(deps, request.body.email, requestContext(request));
      return reply.code(202).send({ status: 'check_email', email: normalizeEmail(request.body.email) ?? request.body.email });
    },
  );

  app.post<{ Body: { token: string; newPassword: string } }>(
    '/v1/password-reset/confirm',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Set a new password with the token of a reset link.',
        description: 'Consumes the link, ends every session and refresh token of the account, and logs nobody in: log in next (with the second factor, if on).',
        body: {
          type: 'object',
          required: ['token', 'newPassword'],
          additionalProperties: false,
          properties: { token: { type: 'string', minLength: 1, maxLength: 256 }, newPassword: { type: 'string', minLength: 1 } },
        },
        response: { 204: { type: 'null', description: 'The password is set; every session has ended.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await resetPassword(deps, request.body, requestContext(request));
      return reply.code(204).send();
    },
  );
}
