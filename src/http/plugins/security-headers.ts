import type { FastifyInstance } from 'fastify';

/** Pages load only their own stylesheet; nothing may frame them, no plugins, no <base>. */
export const pageContentSecurityPolicy =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
/**
 * The pages that offer passkeys (login, the second step, adding a passkey, passkey sign-up) also
 * run our own two scripts: `script-src 'self'` and nothing else changes (docs/security.md SEC-184).
 * Every other page keeps the policy above, with no script source at all.
 */
export const passkeyPageContentSecurityPolicy = `${pageContentSecurityPolicy}; script-src 'self'`;
const apiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

// Computed once: one reply.headers() call per response instead of a call per header.
const commonHeaders = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'same-origin',
};
const pageHeaders = {
  ...commonHeaders,
  'content-security-policy': pageContentSecurityPolicy,
  // same-origin, not no-referrer: under no-referrer browsers send `Origin: null` on our own form
  // POSTs, which the CSRF check must refuse. Other sites still get no Referer at all.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
const apiHeaders = { ...commonHeaders, 'content-security-policy': apiContentSecurityPolicy };
/** For the few answers sent before any hook can run (the router's own refusals, app.ts). */
export const hooklessApiHeaders = { ...apiHeaders, 'cache-control': 'no-store' };

/**
 * Headers on every response (docs/security.md SEC-50, SEC-51): the full set on pages, the ones that matter
 * for data on JSON. `Cache-Control: no-store` is the default, so nothing that carries session
 * data is ever cached; a route that serves public, static content overrides it. No CORS
 * headers are sent at all, so a foreign Origin is never reflected.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', function securityHeaders(_request, reply, payload, done) {
    const contentType = reply.getHeader('content-type');
    const isHtml = typeof contentType === 'string' && contentType.startsWith('text/html');
    if (isHtml) {
      // A page may set a stricter-or-equal CSP of its own (/account adds the login providers to
      // form-action, since its "Link" forms redirect there); every other header is the common set.
      const ownPolicy = reply.getHeader('content-security-policy');
      reply.headers(pageHeaders);
      if (ownPolicy !== undefined) reply.header('content-security-policy', ownPolicy);
    } else {
      reply.headers(apiHeaders);
    }
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    done(null, payload);
  });
}
