import type { AccessTokenClaims } from '../access-token-claims.ts';
import { assertVerifier, authenticate, resolveMiddlewareOptions, type GatehouseMiddlewareOptions } from './bearer.ts';

/**
 * The variables the middleware sets on a hono context; give them to `Hono` for typed `c.get`.
 *
 * @example
 * import { Hono } from 'hono';
 * const app = new Hono<{ Variables: GatehouseVariables }>();
 */
export type GatehouseVariables = {
  /** The verified claims of the request's access token. */
  gatehouse: AccessTokenClaims;
};

/**
 * The part of a hono `Context` the middleware uses; hono's `Context` fits it, whatever its
 * variables (declared with method syntax so that a context typed for other variables still fits).
 *
 * @example
 * const header = (c as HonoContextLike).req.header('authorization');
 */
export interface HonoContextLike {
  /** `method` and `url` are read for DPoP-bound tokens only (the proof names them). */
  readonly req: { header(name: string): string | undefined; readonly method?: string; readonly url?: string };
  set(key: 'gatehouse', value: AccessTokenClaims): void;
}

/**
 * A hono middleware made by {@link honoGatehouse}.
 *
 * @example
 * const requireToken: HonoGatehouseMiddleware = honoGatehouse(verifier);
 * app.use('/api/*', requireToken);
 */
export type HonoGatehouseMiddleware = (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>;

/**
 * A hono middleware that lets a request through only with a valid Gatehouse access token in
 * `Authorization: Bearer`, and sets its claims as the context variable `gatehouse`.
 *
 * A refused request gets 401 with an RFC 6750 `WWW-Authenticate: Bearer` challenge (or 503 when
 * the issuer's keys cannot be fetched) and an `application/problem+json` body, as a standard
 * `Response`; `next` is not called. Any other error is thrown on, to hono's `onError`.
 *
 * @example
 * import { Hono } from 'hono';
 * import { createVerifier, honoGatehouse, type GatehouseVariables } from '@gatehouse/sdk';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const app = new Hono<{ Variables: GatehouseVariables }>();
 * app.use('/api/*', honoGatehouse(verifier, { realm: 'notes' }));
 * app.get('/api/notes', (c) => c.json({ owner: c.get('gatehouse').sub }));
 */
export function honoGatehouse(verifier: { verify(token: string): Promise<AccessTokenClaims> }, options?: GatehouseMiddlewareOptions): HonoGatehouseMiddleware {
  assertVerifier(verifier, 'honoGatehouse');
  const resolved = resolveMiddlewareOptions(options, 'honoGatehouse');
  return async function gatehouseMiddleware(c, next) {
    const { claims, refusal } = await authenticate(verifier, { authorization: c.req.header('authorization'), dpop: c.req.header('dpop'), method: c.req.method, url: c.req.url }, resolved);
    if (refusal !== null) return new Response(refusal.body, { status: refusal.status, headers: refusal.headers });
    c.set('gatehouse', claims);
    await next();
    return undefined;
  };
}
