import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import { AuthError } from '../../core/errors.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a cross-site request before it can change anything (docs/security.md SEC-16, SEC-17), including the
 * login and sign-up forms (login CSRF). Browsers send `Sec-Fetch-Site` and `Origin` on every
 * state-changing request: `cross-site` or `same-site` (a sibling subdomain), an `Origin` other
 * than the public origin, or `Origin: null` are refused. A request with neither header is not
 * from a browser, so it carries no ambient cookie to abuse. SameSite=Lax on the cookie is the
 * second layer.
 */
export function isCrossSiteRequest(request: FastifyRequest, publicOrigin: string): boolean {
  // Sec-Fetch-Site is set by the browser itself and no script can forge it, so when present it
  // decides (a sandboxed frame is reported as cross-site). Older browsers fall back to Origin.
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  return origin !== undefined && origin !== publicOrigin;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `allowed` on the few routes other sites may post to by design: the OpenID end_session_endpoint
     * (http/pages/end-session.ts), which ends nothing without proof of the session (docs/security.md SEC-222);
     * the authorization endpoint's POST form (http/pages/authorize.ts), which only starts a request
     * that the consent form (same-origin) or an earlier consent completes (SEC-205, SEC-206); and
     * UserInfo's POST (http/routes/userinfo.ts), authenticated by a bearer token, never a cookie.
     */
    crossSite?: 'allowed';
  }
}

/**
 * Added to every route that answers an unsafe method, as the route's first own `onRequest` hook
 * (after the app-wide ones: cookies, the inspector's request step). GET, HEAD and OPTIONS routes
 * never refused anything here, so they no longer pay a hook call on every request (the session
 * check and forward auth are GETs); the 405 stand-ins of method-not-allowed.ts are routes too, so
 * a cross-site PUT to a GET-only path is still refused first. Registered before any route.
 */
export function registerCsrfProtection(app: FastifyInstance, publicOrigin: string): void {
  const refuseCrossSite: onRequestHookHandler = (request, _reply, done) => {
    if (!safeMethods.has(request.method) && isCrossSiteRequest(request, publicOrigin)) {
      done(new AuthError('forbidden_origin', { detail: `Requests that change state must come from ${publicOrigin}.` }));
      return;
    }
    done();
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => safeMethods.has(method)) || route.config?.crossSite === 'allowed') return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [refuseCrossSite, ...own];
  });
}
