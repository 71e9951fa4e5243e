import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { problem, sendProblem } from '../plugins/problem.ts';

export function healthRoutes(app: FastifyInstance, deps: CoreDeps): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process is alive.', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The database answers; 503 otherwise.',
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              database: { type: 'string' },
              // What the adapters report: the PostgreSQL pool's use, whether Redis is connected.
              details: { type: 'object', additionalProperties: true },
            },
          },
          '5xx': { $ref: 'problem#' },
        },
      },
    },
    async (request, reply) => {
      try {
        await deps.store.ping();
        const details = deps.store.describe?.();
        return { status: 'ready', database: 'ok', ...(details === undefined ? {} : { details }) };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check failed');
        return sendProblem(reply, problem('service_unavailable', { detail: 'The database does not answer.' }));
      }
    },
  );
}
