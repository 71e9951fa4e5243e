/**
 * `@gatehouse/sdk`: verify Gatehouse access tokens in a resource server. Depends only on jose and
 * Node built-ins: the fastify, express, hono and node:http adapters type the framework objects
 * structurally, so none of those frameworks is needed to use (or type-check) the others.
 *
 * @example
 * import { createVerifier, expressGatehouse } from '@gatehouse/sdk';
 * const verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * const claims = await verifier.verify(token);
 * app.use('/api', expressGatehouse(verifier, { realm: 'notes' }));
 */
export { createVerifier, type Verifier } from './create-verifier.ts';
export type { VerifierOptions } from './verifier-options.ts';
export type { RevocationFeedOptions, RevocationFeedEntry } from './revocation/revocation-feed-options.ts';
export { RevocationFeedError, type RevocationFeedErrorReason } from './revocation/revocation-feed-error.ts';
export type { RevocationEntry } from './revocation/revocation-list.ts';
export type { AccessTokenClaims } from './access-token-claims.ts';
export { verifyJws, type VerifyJwsOptions, type VerifiedJws } from './verify-jws.ts';
export { dpopProofAlgorithms, type DpopRequest } from './dpop/verify-dpop-proof.ts';
export { GatehouseTokenError, tokenErrorCatalog, type GatehouseTokenErrorOptions, type TokenErrorCode } from './errors.ts';
export { defaultAlgorithms, verifiableAlgorithms, type VerifiableAlgorithm } from './algorithms.ts';
export { extractBearerToken, bearerRefusal, type BearerRefusal, type GatehouseMiddlewareOptions } from './middleware/bearer.ts';
export { fastifyGatehouse, type FastifyGatehouseHook, type FastifyReplyLike, type FastifyRequestLike } from './middleware/fastify.ts';
export { expressGatehouse, type ExpressGatehouseMiddleware, type ExpressRequestLike, type ExpressResponseLike } from './middleware/express.ts';
export { honoGatehouse, type GatehouseVariables, type HonoContextLike, type HonoGatehouseMiddleware } from './middleware/hono.ts';
export { withGatehouse, type GatehouseHandler, type GatehouseListener } from './middleware/node.ts';
