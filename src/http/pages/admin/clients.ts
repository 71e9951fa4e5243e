import type { FastifyInstance, FastifyReply } from 'fastify';
import { toClientView } from '../../../core/clients/client-policy.ts';
import { enforceAuthMethod } from '../../../core/clients/enforce-auth-method.ts';
import { listClients } from '../../../core/clients/list-clients.ts';
import { rotateClientSecret } from '../../../core/clients/rotate-client-secret.ts';
import { updateRedirectUris } from '../../../core/clients/update-redirect-uris.ts';
import { registerClient, unregisterClient } from '../../../core/console/register-client.ts';
import type { CoreDeps } from '../../../core/deps.ts';
import { AuthError } from '../../../core/errors.ts';
import type { ClientType, GrantType, RefreshTokenDelivery, SessionWithUser } from '../../../core/ports.ts';
import { attempt, field, fieldValues } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import { alert, notice, redirectAfterPost } from '../layout.ts';
import { operatorContext, operatorOnly, operatorSession, recentOperatorAuthentication } from '../operator-only.ts';
import { clientForm, clientPage, clientTable, secretOnce } from './client-view.ts';
import { sendConsolePage } from './console-layout.ts';
import type { ShownOnce } from './shown-once.ts';

const lines = (text: string): string[] => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');

function parseJwks(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AuthError('validation_failed', { detail: 'The inline JWKS is not JSON text.' });
  }
}

const notices: Record<string, string> = {
  registered: 'The client is registered. It has no secret.',
  'uris-saved': 'The redirect URIs are saved.',
  'auth-method-enforced': 'The client now authenticates only by its registered method.',
  deleted: 'The client is deleted: it authenticates nowhere any more.',
};

/** /admin/clients: list, register (the CLI's options), edit redirect URIs, rotate the secret (shown once), delete. */
export function clientPages(app: FastifyInstance, deps: CoreDeps, once: ShownOnce): void {
  const operator = operatorOnly(deps);
  // Every change to a client needs a recent re-authentication (docs/security.md SEC-273): a new
  // redirect URI or secret is a way to tokens.
  const fresh = (back: (params: Record<string, string>) => string) => [operator, recentOperatorAuthentication(deps, (request) => back(request.params as Record<string, string>))];
  const clientPath = (params: Record<string, string>) => `/admin/clients/${encodeURIComponent(params.id ?? '')}`;

  const showList = async (reply: FastifyReply, current: SessionWithUser, status: number, extra: SafeHtml = html``) =>
    sendConsolePage(reply, status, current, {
      title: 'Clients',
      section: '/admin/clients',
      body: html`${extra}<section class="card" aria-labelledby="clients-title"><h1 id="clients-title">Clients</h1>${clientTable(await listClients(deps))}</section>
<section class="card" aria-labelledby="new-client-title"><h2 id="new-client-title">Register a client</h2>${clientForm()}</section>`,
    });
  const showClient = async (reply: FastifyReply, current: SessionWithUser, clientId: string, status: number, extra: SafeHtml = html``) => {
    const client = await deps.store.clients.findById(clientId);
    if (client === null) throw new AuthError('not_found', { detail: 'No client with this id.' });
    return sendConsolePage(reply, status, current, { title: client.name, section: '/admin/clients', body: html`${extra}${clientPage(toClientView(client))}` });
  };

  app.get<{ Querystring: { done?: string } }>('/admin/clients', { preHandler: operator, schema: { tags: ['pages'], summary: 'Console: the registered clients and the registration form.' } }, async (request, reply) =>
    showList(reply, operatorSession(request), 200, notice(request.query.done === undefined ? undefined : notices[request.query.done])),
  );

  app.post('/admin/clients', { preHandler: fresh(() => '/admin/clients'), schema: { tags: ['pages'], summary: 'Console: register a client; its secret is shown once.' } }, async (request, reply) => {
    const body = request.body;
    const optional = (name: string) => (field(body, name).trim() === '' ? undefined : field(body, name).trim());
    const jwks = optional('jwks');
    const result = await attempt(() =>
      registerClient(
        deps,
        {
          name: field(body, 'name').trim(),
          type: field(body, 'type') as ClientType,
          grantTypes: fieldValues(body, 'grant') as GrantType[],
          refreshTokenDelivery: (optional('refreshTokenDelivery') ?? 'body') as RefreshTokenDelivery,
          redirectUris: lines(field(body, 'redirectUris')),
          postLogoutRedirectUris: lines(field(body, 'postLogoutRedirectUris')),
          scopes: field(body, 'scopes').split(/\s+/).filter((s) => s !== ''),
          skipConsent: field(body, 'skipConsent') === 'on',
          requirePkce: field(body, 'requirePkce') === 'on',
          requirePar: field(body, 'requirePar') === 'on',
          requireDpop: field(body, 'requireDpop') === 'on',
          ...(optional('id') === undefined ? {} : { id: optional('id') }),
          ...(optional('audience') === undefined ? {} : { audience: optional('audience') }),
          ...(optional('backchannelLogoutUri') === undefined ? {} : { backchannelLogoutUri: optional('backchannelLogoutUri') }),
          ...(optional('tokenEndpointAuthMethod') === undefined ? {} : { tokenEndpointAuthMethod: optional('tokenEndpointAuthMethod') }),
          ...(optional('jwksUri') === undefined ? {} : { jwksUri: optional('jwksUri') }),
          ...(jwks === undefined ? {} : { jwks: parseJwks(jwks) }),
          ...(optional('idTokenSignedResponseAlg') === undefined ? {} : { idTokenSignedResponseAlg: optional('idTokenSignedResponseAlg') }),
        },
        operatorContext(request),
      ),
    );
    if (!result.ok) return showList(reply, operatorSession(request), result.status, alert(result.message));
    const { client, secret } = result.value;
    const location = clientPath({ id: client.id });
    // Redirected, not answered: a reload must not register it again (docs/security.md SEC-282).
    if (secret === null) return redirectAfterPost(reply, `${location}?done=registered`);
    return once.redirect(request, reply, location, `client:${client.id}`, { label: client.id, value: secret });
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>('/admin/clients/:id', { preHandler: operator, schema: { tags: ['pages'], summary: 'Console: one client, its redirect URIs, rotation and deletion.' } }, async (request, reply) => {
    const secret = await once.take(request, reply, `client:${request.params.id}`);
    const extra = secret === null ? notice(request.query.done === undefined ? undefined : notices[request.query.done]) : secretOnce(request.params.id, secret.value);
    return showClient(reply, operatorSession(request), request.params.id, 200, extra);
  });

  app.post<{ Params: { id: string } }>('/admin/clients/:id/redirect-uris', { preHandler: fresh(clientPath), schema: { tags: ['pages'], summary: "Console: replace a client's redirect URIs." } }, async (request, reply) => {
    const input = { redirectUris: lines(field(request.body, 'redirectUris')), postLogoutRedirectUris: lines(field(request.body, 'postLogoutRedirectUris')) };
    const result = await attempt(() => updateRedirectUris(deps, request.params.id, input, operatorContext(request)));
    if (!result.ok) return showClient(reply, operatorSession(request), request.params.id, result.status, alert(result.message));
    return redirectAfterPost(reply, `${clientPath(request.params)}?done=uris-saved`);
  });

  app.post<{ Params: { id: string } }>('/admin/clients/:id/rotate-secret', { preHandler: fresh(clientPath), schema: { tags: ['pages'], summary: 'Console: a new client secret, shown once; the old one stops working.' } }, async (request, reply) => {
    const result = await attempt(() => rotateClientSecret(deps, request.params.id, operatorContext(request)));
    if (!result.ok) return showClient(reply, operatorSession(request), request.params.id, result.status, alert(result.message));
    return once.redirect(request, reply, clientPath(request.params), `client:${request.params.id}`, { label: request.params.id, value: result.value });
  });

  app.post<{ Params: { id: string } }>('/admin/clients/:id/enforce-auth-method', { preHandler: fresh(clientPath), schema: { tags: ['pages'], summary: 'Console: hold a client registered before migration 0020 to exactly its registered secret method.' } }, async (request, reply) => {
    const result = await attempt(() => enforceAuthMethod(deps, request.params.id, operatorContext(request)));
    if (!result.ok) return showClient(reply, operatorSession(request), request.params.id, result.status, alert(result.message));
    return redirectAfterPost(reply, `${clientPath(request.params)}?done=auth-method-enforced`);
  });

  app.post<{ Params: { id: string } }>('/admin/clients/:id/delete', { preHandler: fresh(clientPath), schema: { tags: ['pages'], summary: 'Console: delete a client.' } }, async (request, reply) => {
    await unregisterClient(deps, request.params.id, operatorContext(request));
    return redirectAfterPost(reply, '/admin/clients?done=deleted');
  });
}
