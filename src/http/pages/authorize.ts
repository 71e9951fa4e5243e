import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { verifyIdTokenHint } from '../../core/logout/verify-id-token-hint.ts';
import { decideAuthorization, loginAfterMsOf } from '../../core/oauth-provider/decide-authorization.ts';
import { grantConsent } from '../../core/oauth-provider/grant-consent.ts';
import { issueAuthorizationCode } from '../../core/oauth-provider/issue-authorization-code.ts';
import { parseAuthorizationRequest, type RawParams, type RedirectTarget } from '../../core/oauth-provider/parse-authorization-request.ts';
import { providerPaths } from '../../core/oauth-provider/provider-paths.ts';
import { takePushedAuthorizationRequest } from '../../core/oauth-provider/take-pushed-authorization-request.ts';
import { findPendingAuthorization, savePendingAuthorization } from '../../core/oauth-provider/pending-authorization.ts';
import type { AuthorizationParams, Client, PendingAuthorization } from '../../core/ports.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { sendAuthorizationResponse } from '../authorization-response.ts';
import { currentSession, requestContext } from '../session-cookie.ts';
import { authorizationErrorPage, consentPage } from './authorize-views.ts';
import { field } from './forms.ts';

const authorizationPath = providerPaths.authorization;
const resumePath = '/oauth2/authorize/resume';
const consentPath = '/oauth2/authorize/consent';

const targetOf = (params: AuthorizationParams): RedirectTarget => ({ redirectUri: params.redirectUri, responseMode: params.responseMode, state: params.state });

// A repeated parameter arrives as an array: it is let through to the core, which answers it as
// RFC 6749 3.1 says (an error page before the redirect_uri is known, invalid_request after), so a
// browser never gets a bare JSON 400 here.
const paramValue = { type: 'string', maxLength: 8192 } as const;
const paramSchema = { anyOf: [paramValue, { type: 'array', items: paramValue, maxItems: 32 }] } as const;
const querySchema = {
  type: 'object',
  properties: Object.fromEntries(
    ['client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'login_hint', 'id_token_hint', 'ui_locales', 'acr_values', 'claims', 'dpop_jkt', 'request', 'request_uri'].map((name) => [name, paramSchema]),
  ),
} as const;

/**
 * The OpenID Provider's authorization endpoint (GET and POST), the return from the login pages,
 * and the consent form. The request is checked once (core/oauth-provider/parse-authorization-request.ts);
 * while the user logs in or decides, it waits server-side (pending-authorization.ts) and the
 * browser carries only its id through the login pages' return_to. An existing session is single
 * sign-on: no password for a second app.
 */
export async function authorizePages(app: FastifyInstance, deps: CoreDeps, tokens: TokenDeps): Promise<void> {
  await app.register(formbody, { bodyLimit: 65_536 });
  const hintDeps = { clock: deps.clock, issuer: tokens.issuer, publicJwks: () => tokens.keyRing.publicJwks() };

  /** Decides and acts: a login or consent page, a code, or an error sent to the client. */
  const proceed = async (request: FastifyRequest, reply: FastifyReply, client: Client, params: AuthorizationParams, loginAfterMs: number | null, pending: PendingAuthorization | null): Promise<FastifyReply> => {
    const target = targetOf(params);
    const fail = async (error: string, description: string): Promise<FastifyReply> => {
      if (pending !== null) await deps.store.pendingAuthorizations.delete(pending.id);
      return sendAuthorizationResponse(reply, target, tokens.issuer, { error, error_description: description });
    };
    let hintSubject: string | null = null;
    if (params.idTokenHint !== null) {
      const hint = await verifyIdTokenHint(hintDeps, params.idTokenHint);
      if (hint === null || !hint.aud.includes(client.id)) return fail('invalid_request', 'id_token_hint is not an ID token Gatehouse issued to this client.');
      hintSubject = hint.sub;
    }
    const current = await currentSession(deps, request);
    // A first-party app registered to skip consent is never asked: nothing to look up.
    const consent = current === null || client.skipConsent ? null : await deps.store.consents.find(current.user.id, client.id);
    const decision = decideAuthorization({ client, params, current, loginAfterMs, consent, hintSubject });
    if (decision.kind === 'error') return fail(decision.oauthError.error, decision.oauthError.description);
    if (decision.kind === 'issue' && current !== null) {
      // Single use: of two tabs finishing the same pending request, one gets the code.
      if (pending !== null && !(await deps.store.pendingAuthorizations.delete(pending.id))) return authorizationErrorPage(reply, 'expired_request');
      const code = await issueAuthorizationCode(deps, params, current);
      // Nothing on this path sets a cookie: the single sign-on answer may be a direct reply.
      return sendAuthorizationResponse(reply, target, tokens.issuer, { code }, { noCookieSet: true });
    }
    const saved = pending ?? (await savePendingAuthorization(deps, params, loginAfterMs, requestContext(request).ip));
    reply.header('cache-control', 'no-store');
    if (decision.kind === 'consent' && current !== null) return consentPage(reply, client, params.scope.split(' '), current, saved.id, params.redirectUri);
    const back = encodeURIComponent(`${resumePath}?request=${saved.id}`);
    const hint = params.loginHint === null ? '' : `&login_hint=${encodeURIComponent(params.loginHint.slice(0, 254))}`;
    // A session that is too old for the request re-authenticates in place (same session, new auth_time).
    return reply.code(303).header('location', decision.kind === 'login' && decision.reauth ? `/account/reauth?return_to=${back}` : `/login?return_to=${back}${hint}`).send();
  };

  const authorize = async (request: FastifyRequest, reply: FastifyReply, raw: RawParams): Promise<FastifyReply> => {
    // RFC 9126 4: a pushed request is used once, by the client that pushed it; its parameters are
    // the whole request (anything else on the URL is ignored). Unknown, used, expired or another
    // client's: an error page, since no redirect URI can be trusted (docs/security.md SEC-245).
    const requestUri = raw['request_uri'];
    let parsed;
    if (requestUri !== undefined && requestUri !== '') {
      const clientId = raw['client_id'];
      const pushed = typeof requestUri === 'string' && typeof clientId === 'string' ? await takePushedAuthorizationRequest(deps, clientId, requestUri) : null;
      if (pushed === null) return authorizationErrorPage(reply, 'invalid_request_uri');
      parsed = await parseAuthorizationRequest(deps.store.clients, pushed, 'pushed');
    } else {
      parsed = await parseAuthorizationRequest(deps.store.clients, raw);
    }
    if (parsed.kind === 'page_error') return authorizationErrorPage(reply, parsed.reason);
    if (parsed.kind === 'redirect_error') return sendAuthorizationResponse(reply, parsed.target, tokens.issuer, { error: parsed.oauthError.error, error_description: parsed.oauthError.description });
    return proceed(request, reply, parsed.client, parsed.params, loginAfterMsOf(parsed.params, deps.clock.nowMs()), null);
  };

  const summary = 'OpenID Connect authorization endpoint: response_type=code with PKCE S256, state, nonce, prompt, max_age, login_hint, id_token_hint; response_mode query or form_post; iss in every response.';
  app.get(authorizationPath, { schema: { tags: ['openid', 'pages'], summary, querystring: querySchema } }, async (request, reply) => authorize(request, reply, request.query as RawParams));
  // A relying party may post the request from its own site (OIDC Core §3.1.2.1): it changes nothing by itself.
  app.post(authorizationPath, { config: { crossSite: 'allowed' }, schema: { tags: ['openid', 'pages'], summary: `${summary} (form-encoded)`, consumes: ['application/x-www-form-urlencoded'] } }, async (request, reply) =>
    authorize(request, reply, (request.body ?? {}) as RawParams),
  );

  const loadPending = async (id: string): Promise<{ pending: PendingAuthorization; client: Client } | null> => {
    const pending = await findPendingAuthorization(deps, id);
    const client = pending === null ? null : await deps.store.clients.findById(pending.params.clientId);
    return pending === null || client === null ? null : { pending, client };
  };

  app.get<{ Querystring: { request?: string } }>(
    resumePath,
    { schema: { tags: ['openid', 'pages'], summary: 'Where the login pages send the browser back to finish a waiting authorization request.', querystring: { type: 'object', properties: { request: { type: 'string', maxLength: 64 } } } } },
    async (request, reply) => {
      const loaded = await loadPending(request.query.request ?? '');
      if (loaded === null) return authorizationErrorPage(reply, 'expired_request');
      return proceed(request, reply, loaded.client, loaded.pending.params, loaded.pending.loginAfterMs, loaded.pending);
    },
  );

  app.post(consentPath, { schema: { tags: ['openid', 'pages'], summary: 'The consent form: allow or deny the app what it asked for.', consumes: ['application/x-www-form-urlencoded'] } }, async (request, reply) => {
    const loaded = await loadPending(field(request.body, 'request'));
    if (loaded === null) return authorizationErrorPage(reply, 'expired_request');
    const { pending, client } = loaded;
    const current = await currentSession(deps, request);
    const freshEnough = current !== null && (pending.loginAfterMs === null || current.session.authTimeMs >= pending.loginAfterMs);
    // Signed out (or too old a login) since the page was shown: back through the login.
    if (!freshEnough) return proceed(request, reply, client, pending.params, pending.loginAfterMs, pending);
    if (!(await deps.store.pendingAuthorizations.delete(pending.id))) return authorizationErrorPage(reply, 'expired_request');
    const target = targetOf(pending.params);
    // The page was shown to whoever was signed in then; whoever posts is checked again against
    // what the request asks of the user (the id_token_hint's and the claims' `sub`, an essential
    // acr): another account signed in meanwhile in this browser gets no code (docs/security.md SEC-219).
    const hint = pending.params.idTokenHint === null ? null : await verifyIdTokenHint(hintDeps, pending.params.idTokenHint);
    const recheck = decideAuthorization({ client, params: pending.params, current, loginAfterMs: pending.loginAfterMs, consent: null, hintSubject: pending.params.idTokenHint === null ? null : (hint?.sub ?? '') });
    if (recheck.kind === 'error') return sendAuthorizationResponse(reply, target, tokens.issuer, { error: recheck.oauthError.error, error_description: recheck.oauthError.description });
    if (field(request.body, 'decision') !== 'allow') return sendAuthorizationResponse(reply, target, tokens.issuer, { error: 'access_denied', error_description: 'The user did not allow the app.' });
    await grantConsent(deps, current.user.id, client.id, pending.params.scope.split(' '), requestContext(request));
    const code = await issueAuthorizationCode(deps, pending.params, current);
    return sendAuthorizationResponse(reply, target, tokens.issuer, { code });
  });
}
