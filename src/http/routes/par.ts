import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../../core/clients/authenticate-client.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { providerPaths } from '../../core/oauth-provider/provider-paths.ts';
import { pushAuthorizationRequest } from '../../core/oauth-provider/push-authorization-request.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { clientCredentials } from '../client-credentials.ts';
import { dpopProofOf } from '../dpop-header.ts';
import { oauthErrorHandler } from '../oauth-error-handler.ts';
import { requestContext } from '../session-cookie.ts';

type ParBody = Record<string, string | undefined>;

/**
 * `POST /oauth2/par` (RFC 9126): the client authenticates as at the token endpoint (secret,
 * private_key_jwt, or a public client's id) and pushes its authorization request; the answer is
 * 201 with a single-use `request_uri` valid 60 seconds. Errors in the RFC 6749 5.2 shape. A
 * `DPoP` proof header binds the code to its key (RFC 9449 §10.1).
 */
export async function parRoutes(app: FastifyInstance, deps: CoreDeps & TokenDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: 65_536 });
  app.setErrorHandler(oauthErrorHandler('The pushed authorization request endpoint'));
  const parUrl = `${deps.issuer}${providerPaths.pushedAuthorizationRequest}`;
  app.post<{ Body: ParBody }>(
    providerPaths.pushedAuthorizationRequest,
    {
      config: { crossSite: 'allowed' },
      schema: {
        tags: ['openid'],
        summary: 'Pushed authorization requests (RFC 9126): an authenticated client pushes its authorization request and gets a single-use request_uri (60 s) for /oauth2/authorize.',
        consumes: ['application/x-www-form-urlencoded'],
        body: { type: 'object', additionalProperties: { type: 'string', maxLength: 8192 } },
        response: { 201: { type: 'object', required: ['request_uri', 'expires_in'], properties: { request_uri: { type: 'string' }, expires_in: { type: 'integer' } } } },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const client = await authenticateClient(deps, clientCredentials(request, body));
      // RFC 9449 §10.1: a DPoP proof with the push binds the code to its key, like dpop_jkt.
      const proof = await dpopProofOf(deps, request, parUrl);
      const pushed = await pushAuthorizationRequest({ ...deps, publicJwks: () => deps.keyRing.publicJwks() }, client, body, requestContext(request).ip, proof?.jkt ?? null);
      return reply.code(201).header('cache-control', 'no-store').send({ request_uri: pushed.requestUri, expires_in: pushed.expiresInSeconds });
    },
  );
}
