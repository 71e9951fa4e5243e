import type { FastifyInstance } from 'fastify';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';

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
}
