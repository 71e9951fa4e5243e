import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Gauge } from 'prom-client';
import type { RevocationStore } from '../../core/ports.ts';
import type { Metrics } from '../../metrics/metrics.ts';
import { problem, sendProblem } from '../plugins/problem.ts';

export { registerMetricsHooks } from './metrics-hooks.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * `Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>`, compared in constant time: both sides are
 * hashed first, so neither the comparison nor its length check says how much of a guess was right.
 */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1] as string), expected);
}

/**
 * `GET /metrics`: the Prometheus text exposition (docs/security.md SEC-295). It exists only when
 * GATEHOUSE_METRICS_TOKEN is set, and answers only to that bearer token.
 */
export function metricsRoute(app: FastifyInstance, options: { metrics: Metrics; token: string; revocations: RevocationStore }): void {
  const expected = digest(options.token);
  const { registry } = options.metrics;
  new Gauge({
    name: 'gatehouse_revocation_feed_subscribers',
    help: 'Open revocation feed streams (Server-Sent Events) on this instance.',
    registers: [registry],
    collect() {
      this.set(app.revocationFeed?.listenerCount() ?? 0);
    },
  });
  new Gauge({
    name: 'gatehouse_revocation_feed_lag',
    help: 'Revocations written but not yet pushed to this instance’s streams (0 without subscribers).',
    registers: [registry],
    async collect() {
      const feed = app.revocationFeed;
      this.set(feed === undefined || feed.listenerCount() === 0 ? 0 : Math.max(0, (await options.revocations.latestSeq()) - feed.position()));
    },
  });
  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics; only when GATEHOUSE_METRICS_TOKEN is set, with Authorization: Bearer <token>.' } },
    async (request, reply) => {
      if (!bearerMatches(request.headers.authorization, expected)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return sendProblem(reply, problem('unauthenticated', { detail: 'Send Authorization: Bearer with the metrics token.' }));
      }
      const body = await registry.metrics();
      return reply.header('cache-control', 'no-store').type(registry.contentType).send(body);
    },
  );
}
