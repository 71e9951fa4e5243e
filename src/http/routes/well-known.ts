import type { FastifyInstance } from 'fastify';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { authorizationServerMetadata, type EnabledTokenFeatures } from '../../core/tokens/server-metadata.ts';
import { openIdConfiguration } from '../../core/oauth-provider/discovery.ts';

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
  // What is enabled, read afresh for each document: the access token ring's algorithms (the ID
  // token keys in the same JWKS are advertised separately, as id_token_signing_alg_values_supported).
  const features = async (): Promise<EnabledTokenFeatures> => ({
    issuer: tokens.issuer,
    passwordGrantEnabled: tokens.passwordGrantEnabled,
    signingAlgorithms: await tokens.keyRing.ownAlgorithms(),
    scopes: [],
  });

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
      return authorizationServerMetadata(await features());
    },
  );

  app.get(
    '/.well-known/openid-configuration',
    {
      schema: {
        tags: ['openid'],
        summary: 'OpenID Provider configuration (OpenID Connect Discovery 1.0): the RFC 8414 metadata plus the OpenID fields.',
        response: {
          200: {
            type: 'object',
            additionalProperties: true,
            required: ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported'],
            properties: { issuer: { type: 'string' }, authorization_endpoint: { type: 'string' }, token_endpoint: { type: 'string' }, jwks_uri: { type: 'string' } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return openIdConfiguration(await features());
    },
  );
}
