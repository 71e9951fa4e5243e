import type { FastifyInstance } from 'fastify';
import { confirmEmailChange } from '../../core/accounts/confirm-email-change.ts';
import { requestEmailChange } from '../../core/accounts/request-email-change.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { reauthProof } from '../reauth-proof.ts';
import { checkEmailResponse, errorResponses, reauthProperties, userBody } from '../schemas.ts';
import { currentSession, requestContext, requireSession } from '../session-cookie.ts';

/**
 * Change of email address (docs/security.md SEC-142, SEC-143): ask (a link goes to the new
 * address, a notice to the old one; nothing changes yet), then confirm with the link's token.
 */
export function meEmailRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { email: string; password?: string; emailCode?: string; code?: string } }>(
    '/v1/me/email',
    {
      schema: {
        tags: ['accounts'],
        summary:
          'Ask to change the email address: mails a confirmation link to the new address and a notice to the current one; nothing changes until the link is confirmed. Needs a recent login or re-authentication, or a proof sent along. The answer is the same whether or not the new address has an account.',
        body: { type: 'object', required: ['email'], additionalProperties: false, maxProperties: 2, properties: { email: { type: 'string', minLength: 1, maxLength: 1024 }, ...reauthProperties } },
        response: { 202: checkEmailResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const { email, ...proof } = request.body;
      const answer = await requestEmailChange(deps, current, { newEmail: email, proof: reauthProof(proof) }, requestContext(request));
      return reply.code(202).send({ status: 'check_email', email: answer.email });
    },
  );

  app.post<{ Body: { token: string } }>(
    '/v1/me/email/confirm',
    {
      schema: {
        tags: ['accounts'],
        summary: "Confirm a change of email address with the token from the link mailed to the new address. Ends every session of the account but the caller's own (when it is signed in to it).",
        body: { type: 'object', required: ['token'], additionalProperties: false, properties: { token: { type: 'string', minLength: 1, maxLength: 200 } } },
        response: { 200: { type: 'object', required: ['user'], additionalProperties: false, properties: { user: { $ref: 'user#' } } }, ...errorResponses },
      },
    },
    async (request) => {
      const confirmed = await confirmEmailChange(deps, request.body.token, await currentSession(deps, request), requestContext(request));
      return { user: userBody(confirmed.user) };
    },
  );
}
