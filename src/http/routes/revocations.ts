import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticateClient, type ClientCredentials } from '../../core/clients/authenticate-client.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import type { Revocation } from '../../core/ports.ts';
import { basicClientCredentials } from '../basic-credentials.ts';
import { createRevocationBroadcaster } from '../revocation-broadcaster.ts';

const heartbeatMs = 15_000;
const pageSize = 1000;

/** The feed speaks HTTP Basic only, so it serves clients registered for client_secret_basic (the default). */
function basicCredentials(request: FastifyRequest): ClientCredentials {
  const credentials = basicClientCredentials(request.headers.authorization);
  if (credentials === null) throw new AuthError('invalid_client', { detail: 'Resource servers authenticate with HTTP Basic client credentials.' });
  return { method: 'client_secret_basic', ...credentials };
}

const entryBody = (r: Revocation) => ({ seq: r.seq, ...(r.sid === null ? {} : { sid: r.sid }), ...(r.jti === null ? {} : { jti: r.jti }), expiresAtMs: r.expiresAtMs });

/**
 * `GET /v1/revocations`: the feed resource servers follow. `?since=seq` (or `Last-Event-ID`)
 * replays what was missed; with `Accept: text/event-stream` the connection then stays open and
 * every new revocation is pushed as it is committed. Confidential clients only.
 */
export function revocationRoutes(app: FastifyInstance, deps: CoreDeps): void {
  const broadcaster = createRevocationBroadcaster(deps.store.revocations);
  app.decorate('revocationFeed', broadcaster);
  app.addHook('onClose', async () => broadcaster.close());

  app.get<{ Querystring: { since?: string } }>(
    '/v1/revocations',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The revocation feed: JSON catch-up, or Server-Sent Events with Accept: text/event-stream. HTTP Basic client credentials.',
        // Query strings are text; type coercion is off app-wide (JSON bodies must not be coerced).
        querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'string', pattern: '^[0-9]{1,15}$' } } },
      },
    },
    async (request, reply) => {
      const client = await authenticateClient(deps, basicCredentials(request));
      if (client.type !== 'confidential') throw new AuthError('invalid_client', { detail: 'The revocation feed is for confidential clients (resource servers).' });
      const lastEventId = Number(request.headers['last-event-id']);
      const since = Number.isSafeInteger(lastEventId) && lastEventId >= 0 ? lastEventId : Number(request.query.since ?? 0);

      if (!String(request.headers.accept ?? '').includes('text/event-stream')) {
        const revocations = await deps.store.revocations.listAfter(since, pageSize);
        return { revocations: revocations.map(entryBody), latest: await deps.store.revocations.latestSeq() };
      }

      // Subscribe first, then replay: nothing committed in between can fall through the gap
      // (an entry seen twice is harmless; the client keeps the highest seq).
      let position = since;
      const queue: Revocation[] = [];
      let live = false;
      const raw = reply.raw;
      const send = (entries: readonly Revocation[]): void => {
        for (const entry of entries) {
          if (entry.seq <= position) continue;
          position = entry.seq;
          // The inspector's fan-out view: when the verifier's socket took the event, after the revocation was written.
          raw.write(`id: ${entry.seq}\nevent: revocation\ndata: ${JSON.stringify(entryBody(entry))}\n\n`, () =>
            live
              ? deps.trace?.step({
                  kind: 'revocation',
                  title: `Revocation pushed to verifier ${client.id}`,
                  outcome: 'info',
                  detail: { seq: entry.seq, sid: entry.sid, jti: entry.jti, reason: entry.reason, deliveredMsAfterRevocation: deps.clock.nowMs() - entry.createdAtMs },
                  teach: 'revocation',
                })
              : undefined,
          );
        }
      };
      const unsubscribe = await broadcaster.subscribe((entries) => (live ? send(entries) : queue.push(...entries)));
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const heartbeat = setInterval(() => raw.write(': ping\n\n'), heartbeatMs);
      const stop = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.raw.on('close', stop);
      try {
        for (;;) {
          const page = await deps.store.revocations.listAfter(position, pageSize);
          send(page);
          if (page.length < pageSize) break;
        }
        send(queue.splice(0));
        live = true;
        raw.write(`event: ready\ndata: ${JSON.stringify({ latest: position })}\n\n`);
      } catch (error) {
        request.log.error({ err: error }, 'revocation feed catch-up failed');
        stop();
        raw.end();
      }
    },
  );
}
