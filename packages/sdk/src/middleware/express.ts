import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenClaims } from '../access-token-claims.ts';
import { assertVerifier, authenticate, nodeRequest, resolveMiddlewareOptions, type GatehouseMiddlewareOptions } from './bearer.ts';

/**
 * The part of an express request the middleware reads and writes; express's `Request` fits it.
 *
 * @example
 * const claims = (req as ExpressRequestLike).gatehouse;
 */
export interface ExpressRequestLike extends IncomingMessage {
  /** Set by the middleware to the verified claims. */
  gatehouse?: AccessTokenClaims;
}

/**
 * The part of an express response the middleware uses; express's `Response` fits it.
 *
 * @example
 * const claims = (res as ExpressResponseLike).locals['gatehouse'] as AccessTokenClaims;
 */
export interface ExpressResponseLike extends ServerResponse {
  /** express's per-request locals; the middleware sets `locals.gatehouse`. */
  locals: Record<string, unknown>;
}

/**
 * An express middleware made by {@link expressGatehouse}. It never rejects: unexpected errors go
 * to `next(error)`, so it also works on express 4, which ignores rejected promises.
 *
 * @example
 * const requireToken: ExpressGatehouseMiddleware = expressGatehouse(verifier);
 * app.get('/notes', requireToken, handler);
 */
export type ExpressGatehouseMiddleware = (req: ExpressRequestLike, res: ExpressResponseLike, next: (error?: unknown) => void) => Promise<void>;

/**
 * An express middleware that lets a request through only with a valid Gatehouse access token in
 * `Authorization: Bearer`, and puts its claims on `req.gatehouse` and `res.locals.gatehouse`.
 *
 * A refused request gets 401 with an RFC 6750 `WWW-Authenticate: Bearer` challenge (or 503 when
 * the issuer's keys cannot be fetched) and an `application/problem+json` body; `next` is not
 * called. Any other error is passed to `next(error)`.
 *
 * `req.gatehouse` is not declared on express's `Request` type by the SDK (that would need express
 * types); read `res.locals.gatehouse`, or declare it in your own code as in the example.
 *
 * @example
 * import express from 'express';
 * import { createVerifier, expressGatehouse, type AccessTokenClaims } from '@gatehouse/sdk';
 *
 * declare global {
 *   namespace Express {
 *     interface Request { gatehouse?: AccessTokenClaims }
 *   }
 * }
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const app = express();
 * app.use('/api', expressGatehouse(verifier, { realm: 'notes' }));
 * app.get('/api/notes', (req, res) => {
 *   res.json({ owner: req.gatehouse!.sub });
 * });
 */
export function expressGatehouse(verifier: { verify(token: string): Promise<AccessTokenClaims> }, options?: GatehouseMiddlewareOptions): ExpressGatehouseMiddleware {
  assertVerifier(verifier, 'expressGatehouse');
  const resolved = resolveMiddlewareOptions(options, 'expressGatehouse');
  return async function gatehouseMiddleware(req, res, next) {
    let outcome;
    try {
      outcome = await authenticate(verifier, nodeRequest(req), resolved);
    } catch (error) {
      next(error);
      return;
    }
    if (outcome.refusal !== null) {
      res.writeHead(outcome.refusal.status, outcome.refusal.headers).end(outcome.refusal.body);
      return;
    }
    req.gatehouse = outcome.claims;
    res.locals.gatehouse = outcome.claims;
    next();
  };
}
