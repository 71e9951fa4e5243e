import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const css = readFileSync(new URL('./style.css', import.meta.url), 'utf8');
const passkeysScript = readFileSync(new URL('./passkeys.js', import.meta.url), 'utf8');
const formPostScript = readFileSync(new URL('./form-post.js', import.meta.url), 'utf8');
// The published UMD bundle of @simplewebauthn/browser (it sets window.SimpleWebAuthnBrowser),
// served from our origin so the passkey pages need no third-party script source.
const webAuthnBrowserScript = readFileSync(join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
const favicon = readFileSync(new URL('./favicon.svg', import.meta.url), 'utf8');

export function assetRoutes(app: FastifyInstance): void {
  app.get('/assets/style.css', { schema: { tags: ['pages'], summary: 'The stylesheet of the pages.' } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css),
  );
  app.get('/assets/simplewebauthn-browser.js', { schema: { tags: ['pages'], summary: 'The @simplewebauthn/browser bundle, for the passkey pages.' } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(webAuthnBrowserScript),
  );
  app.get('/assets/form-post.js', { schema: { tags: ['pages'], summary: 'Submits the form of the OpenID form_post response mode.' } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(formPostScript),
  );
  app.get('/assets/passkeys.js', { schema: { tags: ['pages'], summary: 'The passkey buttons of the pages.' } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(passkeysScript),
  );
  // From our own origin, so the page CSP's img-src 'self' allows it.
  app.get('/favicon.svg', { schema: { tags: ['pages'], summary: 'The icon of the pages.' } }, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
  );
  // Browsers and tools that ask for the classic path without reading the page's <link rel=icon>.
  app.get('/favicon.ico', { schema: { tags: ['pages'], summary: 'Redirects to /favicon.svg.' } }, async (_request, reply) => reply.redirect('/favicon.svg', 301));
}
