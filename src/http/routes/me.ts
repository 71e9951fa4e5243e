import type { FastifyInstance } from 'fastify';
import { changePassword } from '../../core/accounts/change-password.ts';
import { deleteAccount } from '../../core/accounts/delete-account.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { emptyBodyAsObject, reauthProof } from '../reauth-proof.ts';
import { errorResponses, reauthProperties, sessionBody } from '../schemas.ts';
import { clearSessionCookie, requestContext, requireSession, setSessionCookie } from '../session-cookie.ts';

/** Changes to the signed-in account; each passes the re-authentication gate (docs/security.md SEC-15, SEC-100). */
export function meRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/v1/me/password',
    {
      schema: {
        tags: ['accounts'],
        summary: 'Change the password. Ends every session and returns a new one for this device.',
        body: {
          type: 'object',
          required: ['currentPassword', 'newPassword'],
          additionalProperties: false,
          properties: { currentPassword: { type: 'string', minLength: 1 }, newPassword: { type: 'string', minLength: 1 } },
        },
        response: { 200: { type: 'object', required: ['session'], properties: { session: { $ref: 'session#' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      const { session, token } = await changePassword(deps, current, request.body, requestContext(request));
      setSessionCookie(reply, token, session.expiresAtMs);
      return { session: sessionBody(session, deps.sessionPolicy.idleTimeoutMs, session.id) };
    },
  );

  app.delete<{ Body: { password?: string; emailCode?: string; code?: string } | undefined }>(
    '/v1/me',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['accounts'],
        summary: 'Delete the account; ends every session. Needs the password (or an emailed reauth code or authenticator code); an account without a password may instead rely on a recent login or re-authentication.',
        body: { type: 'object', additionalProperties: false, maxProperties: 1, properties: reauthProperties },
        response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await deleteAccount(deps, current, reauthProof(request.body), requestContext(request));
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );
}
