import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessTokenClaims } from '../access-token-claims.ts';
import { assertVerifier, authenticate, nodeRequest, resolveMiddlewareOptions, type GatehouseMiddlewareOptions } from './bearer.ts';

/**
 * A `node:http` request handler that runs only for a verified token, with its claims.
 *
 * @example
 * const handler: GatehouseHandler = (req, res, claims) => {
 *   res.end(`hello ${claims.sub}`);
 * };
 */
export type GatehouseHandler = (req: IncomingMessage, res: ServerResponse, claims: AccessTokenClaims) => void | Promise<void>;

/**
 * A `node:http` request listener made by {@link withGatehouse}.
 *
 * @example
 * const listener: GatehouseListener = withGatehouse(verifier, handler);
 * createServer(listener).listen(8080);
 */
export type GatehouseListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Wraps a plain `node:http` handler so that it runs only for a request with a valid Gatehouse
 * access token in `Authorization: Bearer`, and is given its claims: `handler(req, res, claims)`.
 *
 * A refused request gets 401 with an RFC 6750 `WWW-Authenticate: Bearer` challenge (or 503 when
 * the issuer's keys cannot be fetched) and an `application/problem+json` body; the handler does
 * not run. There is no framework to hand other errors to: an unexpected failure of the verifier
 * is answered with 500 and then rethrown, and the handler's own errors reject the returned
 * promise as they would without the wrapper. `node:http` ignores that promise, so attach a
 * `.catch` if the handler can fail.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { createVerifier, withGatehouse } from '@gatehouse/sdk';
 *
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const listener = withGatehouse(verifier, (req, res, claims) => {
 *   res.setHeader('content-type', 'application/json');
 *   res.end(JSON.stringify({ owner: claims.sub }));
 * }, { realm: 'notes' });
 * createServer((req, res) => {
 *   listener(req, res).catch((error) => {
 *     console.error(error);
 *     if (!res.headersSent) res.writeHead(500).end();
 *   });
 * }).listen(8080);
 */
export function withGatehouse(verifier: { verify(token: string): Promise<AccessTokenClaims> }, handler: GatehouseHandler, options?: GatehouseMiddlewareOptions): GatehouseListener {
  assertVerifier(verifier, 'withGatehouse');
  if (typeof handler !== 'function') throw new TypeError('withGatehouse: the second argument must be a request handler');
  const resolved = resolveMiddlewareOptions(options, 'withGatehouse');
  return async function gatehouseListener(req, res) {
    let outcome;
    try {
      outcome = await authenticate(verifier, nodeRequest(req), resolved);
    } catch (error) {
      // Fail closed: a verifier that broke lets nothing through, and the request is not left hanging.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }));
      throw error;
    }
    if (outcome.refusal !== null) {
      res.writeHead(outcome.refusal.status, outcome.refusal.headers).end(outcome.refusal.body);
      return;
    }
    await handler(req, res, outcome.claims);
  };
}
