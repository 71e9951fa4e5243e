import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { decideEndSession, type EndSessionParams, type EndSessionRefusal } from '../../core/logout/end-session-request.ts';
import type { Client } from '../../core/ports.ts';
import { logOut } from '../../core/sessions/log-out.ts';
import type { TokenDeps } from '../../core/tokens/issue-access-token.ts';
import { pageContentSecurityPolicy } from '../plugins/security-headers.ts';
import { clearSessionCookie, currentSession, readSessionToken, requestContext } from '../session-cookie.ts';
import { field } from './forms.ts';
import { html } from './html.ts';
import { sendPage } from './layout.ts';

/** The end_session_endpoint of the OpenID Provider (RP-Initiated Logout 1.0). */
export const endSessionPath = '/end-session';
const confirmPath = '/end-session/confirm';

// Chosen by reason; nothing from the request is echoed into the message.
const refusals: Record<EndSessionRefusal, string> = {
  invalid_id_token_hint: 'The app sent a sign-in token that Gatehouse did not issue or that was changed.',
  unknown_client: 'The app that sent you here is not registered with Gatehouse.',
  client_mismatch: 'The app named in the request is not the app the sign-in token was issued to.',
  unregistered_post_logout_redirect_uri: 'The app asked to send you back to an address it has not registered.',
  post_logout_redirect_uri_without_id_token_hint: 'The app asked to send you back without saying which sign-in it ends.',
};

const paramNames = { idTokenHint: 'id_token_hint', clientId: 'client_id', postLogoutRedirectUri: 'post_logout_redirect_uri', state: 'state' } as const;

/** The four parameters, from the query (GET) or the form (POST); anything repeated or not a string counts as absent. */
function paramsOf(source: unknown): EndSessionParams {
  const params: EndSessionParams = {};
  for (const [key, name] of Object.entries(paramNames) as [keyof EndSessionParams, string][]) {
    const value = field(source, name);
    if (value !== '') params[key] = value.slice(0, 8192);
  }
  return params;
}

const querySchema = {
  type: 'object',
  properties: {
    id_token_hint: { type: 'string', maxLength: 8192 },
    client_id: { type: 'string', maxLength: 200 },
    post_logout_redirect_uri: { type: 'string', maxLength: 2048 },
    state: { type: 'string', maxLength: 2048 },
    ui_locales: { type: 'string', maxLength: 200 },
  },
} as const;

function appName(client: Client | null): string {
  return client === null ? 'An app' : client.name;
}

function refusedPage(reply: FastifyReply, reason: EndSessionRefusal): FastifyReply {
  return sendPage(reply, 400, {
    title: 'Logout not completed',
    body: html`<section class="card narrow" role="alert" data-end-session="refused" data-reason="${reason}"><h1>This logout request cannot be completed</h1>
<p>${refusals[reason]} Nothing was changed, and you were not sent anywhere.</p>
<p><a href="/account">Go to your account</a>, where you can log out.</p></section>`,
  });
}

function loggedOutPage(reply: FastifyReply, client: Client | null): FastifyReply {
  return sendPage(reply, 200, {
    title: 'Logged out',
    body: html`<section class="card narrow" data-end-session="logged-out"><h1>You are logged out</h1>
<p>${client === null ? 'Your Gatehouse session has ended.' : html`${client.name} logged you out of Gatehouse.`} Apps you used with this sign-in are told to log you out too.</p>
<p><a href="/login">Log in again</a></p></section>`,
  });
}

/**
 * RP-initiated logout (`end_session_endpoint`, GET and POST) and its confirmation. An app may
 * send the browser here from its own site, so the endpoint itself is exempt from the cross-site
 * check; it ends a session only on a verified hint of that very session. Everything else asks the
 * user first with a form that posts to /end-session/confirm, which keeps the cross-site check
 * (docs/security.md SEC-222) and, like every page, cannot be framed (SEC-226).
 */
export async function endSessionPages(app: FastifyInstance, deps: CoreDeps, tokens: Pick<TokenDeps, 'keyRing' | 'issuer'>): Promise<void> {
  await app.register(formbody, { bodyLimit: 32_768 });
  const decisionDeps = { clock: deps.clock, issuer: tokens.issuer, publicJwks: () => tokens.keyRing.publicJwks(), clients: deps.store.clients };

  const handle = async (request: FastifyRequest, reply: FastifyReply, params: EndSessionParams, confirmed: boolean): Promise<FastifyReply> => {
    const current = await currentSession(deps, request);
    const decision = await decideEndSession(decisionDeps, params, current);
    if (decision.kind === 'refused') return refusedPage(reply, decision.reason);
    if (decision.confirm && !confirmed && current !== null) {
      // The form posts here, then the answer may redirect to the app: form-action must allow it.
      if (decision.redirectTo !== null) reply.header('content-security-policy', pageContentSecurityPolicy.replace("form-action 'self'", `form-action 'self' ${new URL(decision.redirectTo).origin}`));
      const hidden = (Object.entries(paramNames) as [keyof EndSessionParams, string][]).map(([key, name]) =>
        params[key] === undefined ? html`` : html`<input type="hidden" name="${name}" value="${params[key]}">`,
      );
      return sendPage(reply, 200, {
        title: 'Log out?',
        signedInAs: current.user.email,
        body: html`<section class="card narrow" data-end-session="confirm"><h1>Log out of Gatehouse?</h1>
<p>${appName(decision.client)} asks to end your Gatehouse session on this device. Apps you used with it are told to log you out too.</p>
<form method="post" action="${confirmPath}">${hidden}<button type="submit">Log out</button></form>
<p><a href="/account">Stay signed in</a></p></section>`,
      });
    }
    if (current !== null) await logOut(deps, current, requestContext(request));
    if (readSessionToken(request) !== undefined) clearSessionCookie(reply);
    if (decision.redirectTo !== null) return reply.code(303).header('location', decision.redirectTo).send();
    return loggedOutPage(reply, decision.client);
  };

  app.get(endSessionPath, { schema: { tags: ['pages'], summary: 'RP-initiated logout (end_session_endpoint): id_token_hint, client_id, post_logout_redirect_uri (registered, exact), state.', querystring: querySchema } }, async (request, reply) =>
    handle(request, reply, paramsOf(request.query), false),
  );

  app.post(
    endSessionPath,
    { config: { crossSite: 'allowed' }, schema: { tags: ['pages'], summary: 'RP-initiated logout with the parameters in a form body (an app may post it from its own site).' } },
    async (request, reply) => {
      const params = paramsOf(request.body);
      // SameSite=Lax keeps the session cookie off a cross-site POST: the same request as a GET
      // navigation carries it, so the browser is sent there.
      if (readSessionToken(request) === undefined) {
        const query = new URLSearchParams();
        for (const [key, name] of Object.entries(paramNames) as [keyof EndSessionParams, string][]) if (params[key] !== undefined) query.append(name, params[key]);
        return reply.code(303).header('location', `${endSessionPath}${query.size === 0 ? '' : `?${query.toString()}`}`).send();
      }
      return handle(request, reply, params, false);
    },
  );

  app.post(confirmPath, { schema: { tags: ['pages'], summary: 'Confirms an RP-initiated logout (same-origin form of the confirmation page).' } }, async (request, reply) =>
    handle(request, reply, paramsOf(request.body), true),
  );
}
