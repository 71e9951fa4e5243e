import { createHash } from 'node:crypto';
import { AuthError } from '../errors.ts';
import { randomId } from '../sessions/session-token.ts';
import type { Client, Clock, PushedAuthorizationRequestStore, Random } from '../ports.ts';

/** RFC 9126 2.2: the request_uri is a URN with this prefix and an unguessable reference. */
export const requestUriPrefix = 'urn:ietf:params:oauth:request_uri:';
/** How long a pushed request waits for the browser (RFC 9126 recommends a short lifetime). */
export const pushedRequestLifetimeSeconds = 60;

const maxValueLength = 4096;

export interface PushDeps {
  clock: Clock;
  random: Random;
  store: { pushedAuthorizationRequests: PushedAuthorizationRequestStore };
}

/** The store key of a request_uri's random part: only its hash is kept. */
export function pushedRequestHash(reference: string): Uint8Array {
  return createHash('sha256').update(reference).digest();
}

const invalid = (detail: string): AuthError => new AuthError('validation_failed', { detail });

/**
 * `POST /oauth2/par` (RFC 9126): an authenticated client pushes its authorization request and
 * gets a `request_uri` to send the browser with instead (single use, {@link pushedRequestLifetimeSeconds}).
 * Checked here: the client may use the code flow, every parameter is one value, no `request_uri`
 * inside (RFC 9126 2.1), no request object, `response_type=code`, and the `redirect_uri` is one it
 * registered, compared exactly. The rest (scopes, PKCE, prompt) is checked again, like any
 * authorization request, when the browser arrives with the request_uri.
 *
 * @example
 * const { requestUri, expiresInSeconds } = await pushAuthorizationRequest(deps, client, request.body);
 */
export async function pushAuthorizationRequest(deps: PushDeps, client: Client, raw: Record<string, unknown>): Promise<{ requestUri: string; expiresInSeconds: number }> {
  if (!client.grantTypes.includes('authorization_code')) throw new AuthError('unauthorized_client', { detail: 'This client is not registered for the authorization_code grant.' });
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    // Client authentication travels beside the request; it is not part of it.
    if (name === 'client_secret' || name === 'client_assertion' || name === 'client_assertion_type') continue;
    if (typeof value !== 'string' || value.length > maxValueLength) throw invalid(`The parameter ${name.slice(0, 40)} is repeated or too long.`);
    params[name] = value;
  }
  if (params['request_uri'] !== undefined) throw invalid('A pushed request cannot itself carry a request_uri.');
  if (params['request'] !== undefined) throw invalid('Request objects are not supported; push the parameters themselves.');
  if (params['client_id'] !== undefined && params['client_id'] !== client.id) throw new AuthError('invalid_client', { detail: 'client_id names another client than the one authenticated.' });
  if (params['response_type'] !== 'code') throw invalid('response_type=code is required.');
  if (params['redirect_uri'] === undefined || !client.redirectUris.includes(params['redirect_uri'])) throw invalid('redirect_uri must be one this client registered, exactly.');
  params['client_id'] = client.id;

  const nowMs = deps.clock.nowMs();
  const reference = randomId(deps.random);
  await deps.store.pushedAuthorizationRequests.insert({
    idHash: pushedRequestHash(reference),
    clientId: client.id,
    params,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + pushedRequestLifetimeSeconds * 1000,
  });
  return { requestUri: `${requestUriPrefix}${reference}`, expiresInSeconds: pushedRequestLifetimeSeconds };
}
