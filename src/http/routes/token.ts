import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateClient } from '../../core/clients/authenticate-client.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError, StorageUnavailableError, type ErrorCode } from '../../core/errors.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import type { IssuedTokenPair } from '../../core/tokens/issue-token-pair.ts';
import { passwordGrant } from '../../core/tokens/grants/password-grant.ts';
import { refreshTokenGrant } from '../../core/tokens/grants/refresh-token-grant.ts';
import { authorizationCodeGrant } from '../../core/tokens/grants/authorization-code-grant.ts';
import { clientCredentialsGrant } from '../../core/tokens/grants/client-credentials-grant.ts';
import { audienceFor } from '../../core/tokens/resource-audience.ts';
import { revokeToken } from '../../core/tokens/revoke-token.ts';
import { introspectToken } from '../../core/tokens/introspect-token.ts';
import type { TokenEndpointGrantType } from '../../core/tokens/server-metadata.ts';
import { requestContext } from '../session-cookie.ts';
import { clientAuthFields, clientCredentials } from '../client-credentials.ts';
import { oauthErrorHandler } from '../oauth-error-handler.ts';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from '../refresh-cookie.ts';
import type { Client } from '../../core/ports.ts';
import type { VerifiedDpopProof } from '../../core/dpop/verify-dpop-proof.ts';
import { dpopProofOf } from '../dpop-header.ts';
import { sendTokenJsonDirect } from '../direct-reply.ts';

type TokenBody = Record<string, string | undefined>;

/** The body of revocation and introspection: the token in question, and client authentication. */
const tokenParamBody = {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', maxLength: 4096 }, token_type_hint: { type: 'string', maxLength: 64 }, ...clientAuthFields },
} as const;

/** A browser client's refresh token never appears in the body: it went into its cookie. */
const tokenResponse = (issued: IssuedTokenPair, client: Client) => ({
  access_token: issued.accessToken,
  token_type: issued.tokenType,
  expires_in: issued.expiresInSeconds,
  ...(issued.refreshToken === null || client.refreshTokenDelivery === 'cookie' ? {} : { refresh_token: issued.refreshToken }),
  scope: issued.scope,
  ...(issued.idToken === undefined ? {} : { id_token: issued.idToken }),
});

/**
 * The refresh token presented: a browser client's comes only from its cookie (a script that could
 * put one in the body could also have read one), everyone else's only from the body.
 */
function presentedRefreshToken(request: FastifyRequest, body: TokenBody, client: Client): string {
  if (client.refreshTokenDelivery === 'cookie') {
    if (body.refresh_token !== undefined) throw new AuthError('validation_failed', { detail: "This client's refresh token travels only in its HttpOnly cookie; omit refresh_token." });
    const fromCookie = readRefreshCookie(request, client);
    if (fromCookie === undefined || fromCookie === '') throw new AuthError('invalid_grant', { detail: 'No refresh token cookie: log in again.' });
    return fromCookie;
  }
  if (!body.refresh_token) throw new AuthError('validation_failed', { detail: 'refresh_token is required.' });
  return body.refresh_token;
}

/**
 * `POST /v1/token` (RFC 6749): form-encoded, errors in the section 5.2 shape. The grant registry
 * maps each `grant_type` to one file in core/tokens/grants.
 */
export async function tokenRoutes(app: FastifyInstance, deps: CoreDeps & TokenDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  await app.register(formbody, { bodyLimit: 16_384 });
  app.setErrorHandler(oauthErrorHandler('The token endpoint'));

  // Keyed by the list the metadata document advertises (core/tokens/server-metadata.ts).
  type Grant = (request: FastifyRequest, body: TokenBody, client: Client, proof: VerifiedDpopProof | null) => Promise<IssuedTokenPair>;
  const grants: Record<TokenEndpointGrantType, Grant> = {
    password: (request, body, client, proof) => {
      if (!body.username || !body.password) throw new AuthError('validation_failed', { detail: 'username and password are required.' });
      return passwordGrant(deps, client, { username: body.username, password: body.password, scope: '' }, requestContext(request), proof);
    },
    authorization_code: (request, body, client, proof) => {
      if (!body.code) throw new AuthError('validation_failed', { detail: 'code is required.' });
      return authorizationCodeGrant(deps, client, { code: body.code, redirectUri: body.redirect_uri, codeVerifier: body.code_verifier }, requestContext(request), proof);
    },
    refresh_token: (request, body, client, proof) => refreshTokenGrant(deps, client, presentedRefreshToken(request, body, client), requestContext(request), proof),
    client_credentials: (_request, body, client, proof) => clientCredentialsGrant(deps, client, { scope: body.scope, resource: body.resource }, proof),
  };
  const tokenEndpointUrl = `${deps.issuer}/v1/token`;
  const direct = app.directReplies;

  app.post<{ Body: TokenBody }>(
    '/v1/token',
    {
      schema: {
        tags: ['tokens'],
        summary: 'The OAuth 2.0 token endpoint (RFC 6749): grant_type=authorization_code (OpenID Connect, PKCE), password (first-party), refresh_token (rotating) and client_credentials; client_secret_basic/post, private_key_jwt (RFC 7523) or none; DPoP (RFC 9449) and resource (RFC 8707) on every grant.',
        consumes: ['application/x-www-form-urlencoded'],
        body: {
          type: 'object',
          required: ['grant_type'],
          properties: {
            grant_type: { type: 'string', maxLength: 64 },
            username: { type: 'string', maxLength: 1024 },
            password: { type: 'string', maxLength: 4096 },
            refresh_token: { type: 'string', maxLength: 256 },
            code: { type: 'string', maxLength: 256 },
            redirect_uri: { type: 'string', maxLength: 2048 },
            code_verifier: { type: 'string', maxLength: 256 },
            scope: { type: 'string', maxLength: 1024 },
            resource: { type: 'string', maxLength: 2048 },
            ...clientAuthFields,
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const grant = Object.hasOwn(grants, body.grant_type ?? '') ? grants[body.grant_type as TokenEndpointGrantType] : undefined;
      if (grant === undefined) throw new AuthError('unsupported_grant_type');
      if (body.grant_type !== 'client_credentials' && body.scope !== undefined && body.scope.trim() !== '') throw new AuthError('invalid_scope', { detail: 'No scopes are defined yet; omit scope.' });
      const credentials = clientCredentials(request, body);
      const client = await authenticateClient(deps, credentials);
      // RFC 8707: a client is allowed its one registered audience, so `resource` can only name it.
      audienceFor(client, body.resource);
      const cookieClient = client.refreshTokenDelivery === 'cookie';
      const proof = await dpopProofOf(deps, request, tokenEndpointUrl);
      if (proof === null && client.requireDpop) throw new AuthError('invalid_dpop_proof', { detail: 'This client is registered to require DPoP: send a DPoP proof.' });
      let issued: IssuedTokenPair;
      try {
        issued = await grant(request, body, client, proof);
      } catch (error) {
        // A dead refresh token is of no use to the browser: drop it, so the app sees "log in again".
        if (cookieClient && body.grant_type === 'refresh_token' && error instanceof AuthError && error.code === 'invalid_grant') clearRefreshCookie(reply, client);
        throw error;
      }
      if (cookieClient && issued.refreshToken !== null) setRefreshCookie(reply, client, issued.refreshToken, deps.refreshPolicy.idleTtlMs);
      // No cookie to set: written at once, byte for byte the pipeline's answer (direct-reply.ts).
      if (direct && !cookieClient) {
        sendTokenJsonDirect(reply, JSON.stringify(tokenResponse(issued, client)));
        return reply;
      }
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(tokenResponse(issued, client));
    },
  );

  app.post<{ Body: TokenBody }>(
    '/v1/token/revoke',
    {
      schema: {
        tags: ['tokens'],
        summary:
          "Revoke a refresh or access token (RFC 7009). Always 200 for a well-formed request. A browser client (cookie delivery) may omit token: its refresh cookie is revoked and cleared, which is logout.",
        consumes: ['application/x-www-form-urlencoded'],
        body: { ...tokenParamBody, required: [] },
      },
    },
    async (request, reply) => {
      const client = await authenticateClient(deps, clientCredentials(request, request.body));
      reply.header('cache-control', 'no-store');
      let token = request.body.token;
      if (client.refreshTokenDelivery === 'cookie') {
        clearRefreshCookie(reply, client);
        token ??= readRefreshCookie(request, client);
        // No cookie: already logged out, which is what was asked.
        if (token === undefined) return reply.code(200).send();
      }
      if (token === undefined) throw new AuthError('validation_failed', { detail: 'token is required.' });
      await revokeToken(deps, client, token);
      return reply.code(200).send();
    },
  );

  app.post<{ Body: TokenBody }>(
    '/v1/token/introspect',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Token introspection (RFC 7662), for confidential clients (resource servers).',
        consumes: ['application/x-www-form-urlencoded'],
        body: tokenParamBody,
      },
    },
    async (request, reply) => {
      const client = await authenticateClient(deps, clientCredentials(request, request.body));
      if (client.type !== 'confidential') throw new AuthError('invalid_client', { detail: 'Introspection is for confidential clients.' });
      return reply.header('cache-control', 'no-store').send(await introspectToken(deps, client, request.body.token ?? ''));
    },
  );
}
