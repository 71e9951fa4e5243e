import type { FastifyInstance } from 'fastify';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { authorizationServerMetadata } from '../../core/tokens/server-metadata.ts';

const jwkSchema = {
  type: 'object',
  required: ['kty', 'kid', 'alg', 'use'],
  // Public members only: a private member (d, p, q, dp, dq, qi, k) can never be serialized.
  additionalProperties: false,
  properties: {
    kty: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    use: { type: 'string' },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    n: { type: 'string' },
    e: { type: 'string' },
  },
} as const;

export function wellKnownRoutes(app: FastifyInstance, tokens: TokenDeps): void {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The public signing keys (JWKS) that verify Gatehouse access tokens.',
        response: { 200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: jwkSchema } } } },
      },
    },
    async (_request, reply) => {
      // Five minutes: a rotated-in key is published at least that long before it signs.
      reply.header('cache-control', 'public, max-age=300, stale-while-revalidate=60');
      return tokens.keyRing.publicJwks();
    },
  );

  app.get(
    '/.well-known/oauth-authorization-server',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Authorization server metadata (RFC 8414).',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            required: ['issuer', 'token_endpoint', 'jwks_uri', 'grant_types_supported', 'response_types_supported'],
            properties: { issuer: { type: 'string' }, token_endpoint: { type: 'string' }, jwks_uri: { type: 'string' } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      const { keys } = await tokens.keyRing.publicJwks();
      return authorizationServerMetadata({
        issuer: tokens.issuer,
        passwordGrantEnabled: tokens.passwordGrantEnabled,
        signingAlgorithms: keys.flatMap((key) => (typeof key.alg === 'string' ? [key.alg] : [])),
        scopes: [],
      });
    },
  );
}
