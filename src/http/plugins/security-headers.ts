import type { FastifyInstance } from 'fastify';

/** Pages load only their own stylesheet; nothing may frame them, no plugins, no <base>. */
export const pageContentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/**
 * Headers on every response (SECURITY.md 50-51). `Cache-Control: no-store` is the default, so
 * nothing that carries session data is ever cached; a route that serves public, static content
 * overrides it. No CORS headers are sent at all, so a foreign Origin is never reflected.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const isHtml = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    reply.header('content-security-policy', isHtml ? pageContentSecurityPolicy : apiContentSecurityPolicy);
    reply.header('strict-transport-security', 'max-age=63072000; includeSubDomains');
    reply.header('x-content-type-options', 'nosniff');
    // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on our own form
    // POSTs, which the CSRF check must refuse. Other sites still get no Referer at all.
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
