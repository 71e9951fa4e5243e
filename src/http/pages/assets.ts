import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const css = readFileSync(new URL('./style.css', import.meta.url), 'utf8');
const favicon = readFileSync(new URL('./favicon.svg', import.meta.url), 'utf8');

export function assetRoutes(app: FastifyInstance): void {
  app.get('/assets/style.css', { schema: { tags: ['pages'], summary: 'The stylesheet of the pages.' } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  // From our own origin, so the page CSP's img-src 'self' allows it.
  app.get('/favicon.svg', { schema: { tags: ['pages'], summary: 'The icon of the pages.' } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
  );
  // Browsers and tools that ask for the classic path without reading the page's <link rel=icon>.
  app.get('/favicon.ico', { schema: { tags: ['pages'], summary: 'Redirects to /favicon.svg.' } }, async (_request, reply) => reply.redirect('/favicon.svg', 301));
}
