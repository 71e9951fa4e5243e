import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const css = readFileSync(new URL('./style.css', import.meta.url), 'utf8');

export function assetRoutes(app: FastifyInstance): void {
  app.get('/assets/style.css', { schema: { tags: ['pages'], summary: 'The stylesheet of the pages.' } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
}
