import type { AccessTokenClaims } from '../access-token-claims.ts';
import { assertVerifier, authenticate, resolveMiddlewareOptions, type GatehouseMiddlewareOptions } from './bearer.ts';

/**
 * The part of a fastify request the hook reads and writes. Structural, so the SDK needs no
 * fastify at run time or for its types; fastify's `FastifyRequest` fits it.
 *
 * @example
 * const request: FastifyRequestLike = { headers: { authorization: 'Bearer eyJ...' } };
 */
export interface FastifyRequestLike {
  readonly headers: { readonly authorization?: string | readonly string[] | undefined; readonly dpop?: string | readonly string[] | undefined; readonly host?: string | undefined };
  /** Read for DPoP-bound tokens only (the proof names the method and URL). */
  readonly method?: string;
  readonly url?: string;
  readonly protocol?: string;
  /** Set by the hook to the verified claims. */
  gatehouse?: AccessTokenClaims | null;
}

/**
 * The part of a fastify reply the hook uses to refuse a request; fastify's `FastifyReply` fits it.
 *
 * @example
 * const reply: FastifyReplyLike = fastifyReply;
 */
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  headers(values: Record<string, string>): unknown;
  send(payload: string): unknown;
}

/**
 * A fastify `preHandler` hook made by {@link fastifyGatehouse}.
 *
 * @example
 * const hook: FastifyGatehouseHook = fastifyGatehouse(verifier);
 * app.get('/notes', { preHandler: hook }, handler);
 */
export type FastifyGatehouseHook = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<void>;

/**
 * A fastify `preHandler` hook that lets a request through only with a valid Gatehouse access
 * token in `Authorization: Bearer`, and puts its claims on `request.gatehouse`.
 *
 * A refused request gets 401 with an RFC 6750 `WWW-Authenticate: Bearer` challenge (or 503 when
 * the issuer's keys cannot be fetched) and an `application/problem+json` body; the route handler
 * does not run. Any other error goes to fastify's error handler.
 *
 * Use it per route (`preHandler`) or for every route of an encapsulated scope (`addHook`).
 * Declare the request property once with `decorateRequest` so fastify keeps the request's shape
 * stable, and tell TypeScript about it with a module augmentation in your own code (the SDK does
 * not augment `fastify` itself, so it needs no fastify types).
 *
 * @example
 * import Fastify from 'fastify';
 * import { createVerifier, fastifyGatehouse, type AccessTokenClaims } from '@gatehouse/sdk';
 *
 * declare module 'fastify' {
 *   interface FastifyRequest { gatehouse: AccessTokenClaims | null }
 * }
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const app = Fastify();
 * app.decorateRequest('gatehouse', null);
 * await app.register(async (api) => {
 *   api.addHook('preHandler', fastifyGatehouse(verifier, { realm: 'notes' }));
 *   api.get('/notes', async (request) => ({ owner: request.gatehouse!.sub }));
 * });
 */
export function fastifyGatehouse(verifier: { verify(token: string): Promise<AccessTokenClaims> }, options?: GatehouseMiddlewareOptions): FastifyGatehouseHook {
  assertVerifier(verifier, 'fastifyGatehouse');
  const resolved = resolveMiddlewareOptions(options, 'fastifyGatehouse');
  return async function gatehousePreHandler(request, reply) {
    const { claims, refusal } = await authenticate(
      verifier,
      { authorization: request.headers.authorization, dpop: request.headers.dpop, method: request.method, path: request.url, protocol: request.protocol, host: request.headers.host },
      resolved,
    );
    if (refusal !== null) {
      reply.code(refusal.status);
      reply.headers({ ...refusal.headers });
      // fastify stops the hook chain when the reply is sent before the hook's promise settles.
      reply.send(refusal.body);
      return;
    }
    request.gatehouse = claims;
  };
}
