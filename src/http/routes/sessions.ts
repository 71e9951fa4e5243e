import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { listSessions } from '../../core/sessions/list-sessions.ts';
import { revokeOtherSessions } from '../../core/sessions/revoke-other-sessions.ts';
import { revokeSession } from '../../core/sessions/revoke-session.ts';
import { errorResponses, sessionBody } from '../schemas.ts';
import { clearSessionCookie, requestContext, requireSession } from '../session-cookie.ts';

/** The user's sessions on every device: list, revoke one, revoke all but this one. */
export function sessionsRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get(
    '/v1/sessions',
    {
      schema: {
        tags: ['session'],
        summary: "The user's live sessions, most recently seen first.",
        response: {
          200: { type: 'object', required: ['sessions'], properties: { sessions: { type: 'array', items: { $ref: 'session#' } } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const current = await requireSession(deps, request);
      const sessions = await listSessions(deps, current.user.id);
      return { sessions: sessions.map((s) => sessionBody(s, deps.sessionPolicy.idleTimeoutMs, current.session.id)) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/sessions/:id',
    {
      schema: {
        tags: ['session'],
        summary: 'Revoke one of your sessions; it is refused from its very next request.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        response: { 204: { type: 'null', description: 'Revoked.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await revokeSession(deps, current.user.id, request.params.id, requestContext(request));
      if (request.params.id === current.session.id) clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );

  app.delete(
    '/v1/sessions',
    {
      schema: {
        tags: ['session'],
        summary: 'Revoke every session except the current one.',
        response: {
          200: { type: 'object', required: ['revoked'], properties: { revoked: { type: 'integer' } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const current = await requireSession(deps, request);
      return { revoked: await revokeOtherSessions(deps, current, requestContext(request)) };
    },
  );
}
