import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { finishFlow, OAuthFlowError } from '../../core/oauth-client/finish-flow.ts';
import { listIdentities } from '../../core/oauth-client/list-identities.ts';
import { redirectUri, type OAuthDeps } from '../../core/oauth-client/oauth-deps.ts';
import { startFlow } from '../../core/oauth-client/start-flow.ts';
import { unlinkIdentity } from '../../core/oauth-client/unlink-identity.ts';
import type { OAuthIdentity } from '../../core/ports.ts';
import type { AppConfig } from '../app-config.ts';
import { clearFlowCookie, readFlowCookie, setFlowCookie } from '../oauth-flow-cookie.ts';
import { sendOAuthFailure } from '../pages/oauth-failure.ts';
import { safeReturnTo } from '../return-to.ts';
import { emptyBodyAsObject, reauthProof } from '../reauth-proof.ts';
import { errorResponses, reauthBody, type ReauthBody } from '../schemas.ts';
import { currentSession, requestContext, requireSession, setPendingLoginCookie, setSessionCookie } from '../session-cookie.ts';

const providerParams = { type: 'object', required: ['provider'], properties: { provider: { type: 'string', maxLength: 64 } } } as const;

const identitySchema = {
  type: 'object',
  required: ['id', 'provider', 'email', 'createdAt', 'lastLoginAt'],
  properties: {
    id: { type: 'string' },
    provider: { type: 'string' },
    email: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    lastLoginAt: { type: 'string', format: 'date-time' },
  },
} as const;

function identityBody(identity: OAuthIdentity): Record<string, unknown> {
  // Issuer, subject and the provider's tokens stay on the server.
  return {
    id: identity.id,
    provider: identity.provider,
    email: identity.email,
    createdAt: new Date(identity.createdAtMs).toISOString(),
    lastLoginAt: new Date(identity.lastLoginAtMs).toISOString(),
  };
}

/**
 * Social login: the redirect to the provider and its callback (browser navigations, so failures
 * are pages), the list of providers, and the signed-in user's linked identities.
 */
export function oauthRoutes(app: FastifyInstance, deps: CoreDeps, oauth: OAuthDeps, config: AppConfig): void {
  app.get(
    '/v1/oauth/providers',
    {
      schema: {
        tags: ['oauth'],
        summary: 'The configured login providers, with the URL that starts a login and the redirect URI to register.',
        response: {
          200: {
            type: 'object',
            required: ['providers'],
            properties: {
              providers: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'name', 'startUrl', 'redirectUri'],
                  properties: { id: { type: 'string' }, name: { type: 'string' }, startUrl: { type: 'string' }, redirectUri: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      providers: [...oauth.providers.values()].map((p) => ({
        id: p.config.id,
        name: p.config.displayName,
        startUrl: `${oauth.publicUrl}/v1/oauth/${p.config.id}/start`,
        redirectUri: redirectUri(oauth.publicUrl, p.config.id),
      })),
    }),
  );

  app.get<{ Params: { provider: string }; Querystring: { return_to?: unknown } }>(
    '/v1/oauth/:provider/start',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Starts a social login: redirects to the provider (state, PKCE S256, nonce) and sets the flow cookie.',
        params: providerParams,
        querystring: { type: 'object', properties: { return_to: { type: 'string', description: 'A same-origin path, or a URL on an allowed origin.' } } },
      },
    },
    async (request, reply) => {
      const returnTo = safeReturnTo(typeof request.query.return_to === 'string' ? request.query.return_to : undefined, config.publicUrl, config.allowedReturnOrigins);
      if (!oauth.providers.has(request.params.provider)) return sendOAuthFailure(reply, oauth, request.params.provider, new AuthError('oauth_provider_unknown'), returnTo);
      const started = await startFlow(deps, oauth, { providerId: request.params.provider, returnTo, ip: request.ip });
      setFlowCookie(reply, started.cookieValue, started.expiresAtMs);
      return reply.redirect(started.authorizationUrl, 302);
    },
  );

  app.get<{ Params: { provider: string } }>(
    '/v1/oauth/:provider/callback',
    {
      schema: {
        tags: ['oauth'],
        summary: "The provider's redirect back: verifies everything, starts a session, then redirects to return_to.",
        params: providerParams,
      },
    },
    async (request, reply) => {
      const providerId = request.params.provider;
      if (!oauth.providers.has(providerId)) return sendOAuthFailure(reply, oauth, providerId, new AuthError('oauth_provider_unknown'), null);
      // The URL the provider redirected to is rebuilt on the configured public origin, never the Host header.
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      const callbackUrl = new URL(`${redirectUri(oauth.publicUrl, providerId)}${query}`);
      clearFlowCookie(reply);
      try {
        const finished = await finishFlow(
          deps,
          oauth,
          { providerId, callbackUrl, cookieValue: readFlowCookie(request), currentSession: await currentSession(deps, request) },
          requestContext(request),
        );
        if (finished.purpose === 'second_factor') {
          // Like after a password: nothing is granted until the second step (docs/security.md SEC-101).
          setPendingLoginCookie(reply, finished.pendingToken);
          return reply.redirect(`/login/second-factor?return_to=${encodeURIComponent(finished.returnTo)}`, 303);
        }
        if (finished.purpose === 'login') setSessionCookie(reply, finished.token, finished.session.expiresAtMs);
        return reply.redirect(finished.returnTo, 303);
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        const diagnosis = error instanceof OAuthFlowError ? error.diagnosis : null;
        // The operator's view of a refused provider answer: which check, which claim, expected vs
        // received, issuer, provider (no secrets: see describe-provider-failure.ts).
        if (diagnosis !== null) request.log.warn({ oauthFailure: diagnosis }, `social login with ${diagnosis.provider} failed: ${diagnosis.check}${diagnosis.claim === undefined ? '' : ` (${diagnosis.claim})`}`);
        return sendOAuthFailure(reply, oauth, providerId, error, error instanceof OAuthFlowError ? error.returnTo : null, config.dev === true ? diagnosis : null);
      }
    },
  );

  app.get(
    '/v1/me/identities',
    {
      schema: {
        tags: ['oauth'],
        summary: "The signed-in user's linked provider identities.",
        response: { 200: { type: 'object', required: ['identities'], properties: { identities: { type: 'array', items: identitySchema } } }, ...errorResponses },
      },
    },
    async (request) => {
      const { user } = await requireSession(deps, request);
      return { identities: (await listIdentities(deps, user.id)).map(identityBody) };
    },
  );

  app.delete<{ Params: { id: string }; Body: ReauthBody }>(
    '/v1/me/identities/:id',
    {
      preValidation: emptyBodyAsObject,
      schema: {
        tags: ['oauth'],
        summary:
          'Unlinks an identity, unless it is the last way to log in to the account (409 `oauth_last_login_method`). Needs a recent login or re-authentication (403 `reauthentication_required`: POST /v1/me/reauth first), or the password, an emailed reauth code or an authenticator code sent along.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
        body: reauthBody,
        response: { 204: { type: 'null', description: 'Unlinked.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await unlinkIdentity(deps, current, request.params.id, reauthProof(request.body), requestContext(request), (id) => oauth.providers.get(id)?.config.displayName ?? id);
      return reply.code(204).send();
    },
  );
}
