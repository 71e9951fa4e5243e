import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { issueSessionToken } from '../../core/tokens/issue-session-token.ts';
import { errorResponses } from '../schemas.ts';
import { requireSession } from '../session-cookie.ts';

/** A browser app with a cookie session gets an access token for its API, bound to the session. */
export function sessionTokenRoutes(app: FastifyInstance, deps: CoreDeps & TokenDeps): void {
  app.post<{ Body: { client_id: string } }>(
    '/v1/session/token',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Exchange the session cookie for a short-lived access token (RFC 9068) bound to this session.',
        body: {
          type: 'object',
          required: ['client_id'],
          additionalProperties: false,
          properties: { client_id: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in'],
            properties: {
              access_token: { type: 'string' },
              token_type: { type: 'string', enum: ['Bearer'] },
              expires_in: { type: 'integer' },
              scope: { type: 'string' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const current = await requireSession(deps, request);
      const issued = await issueSessionToken(deps, current, { clientId: request.body.client_id });
      return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresInSeconds, scope: issued.scope };
    },
  );
}
