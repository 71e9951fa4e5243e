import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Metrics } from '../../metrics/metrics.ts';

/** Grant types counted by name; anything else a client sends counts as `other` (bounded labels). */
const knownGrants = new Set(['password', 'refresh_token', 'authorization_code', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange']);

function grantType(request: FastifyRequest): string {
  const body = request.body as { grant_type?: unknown } | undefined;
  const value = typeof body === 'object' && body !== null ? body.grant_type : undefined;
  return typeof value === 'string' && knownGrants.has(value) ? value : 'other';
}

/**
 * The request metrics: one `onResponse` hook, registered only when metrics are on (off, the
 * request path is exactly what it was). Routes are labelled by their pattern
 * (`/v1/sessions/:id`), so ids in URLs never become label values.
 */
export function registerMetricsHooks(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    metrics.httpDuration.observe({ method: request.method, route, status: String(status) }, reply.elapsedTime / 1000);
    if (status === 429) metrics.throttleLockouts.inc({ route });
    if (request.method === 'POST' && route.endsWith('/token')) metrics.tokenGrants.inc({ grant_type: grantType(request), result: status < 400 ? 'success' : 'failure' });
  });
}
