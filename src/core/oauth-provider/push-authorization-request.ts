import { createHash } from 'node:crypto';
import { AuthError, type ErrorCode } from '../errors.ts';
import { verifyIdTokenHint, type IdTokenHintDeps } from '../logout/verify-id-token-hint.ts';
import { parseAuthorizationRequest, type AuthorizationPageError } from './parse-authorization-request.ts';
import { randomId } from '../sessions/session-token.ts';
import type { Client, Clock, PushedAuthorizationRequestStore, Random } from '../ports.ts';
import type { Throttle } from '../throttle/throttle.ts';

/** RFC 9126 2.2: the request_uri is a URN with this prefix and an unguessable reference. */
export const requestUriPrefix = 'urn:ietf:params:oauth:request_uri:';
/** How long a pushed request waits for the browser (RFC 9126 recommends a short lifetime). */
export const pushedRequestLifetimeSeconds = 60;

const maxValueLength = 4096;

export interface PushDeps {
  clock: Clock;
  random: Random;
  store: { pushedAuthorizationRequests: PushedAuthorizationRequestStore };
  /** Our issuer and published keys, to check an `id_token_hint` as the authorization endpoint does. */
  issuer: string;
  /** Counts a public client's pushes per IP (anyone may push for one: it has no secret). */
  throttle: Pick<Throttle, 'reserve'>;
  publicJwks: IdTokenHintDeps['publicJwks'];
}

/** The store key of a request_uri's random part: only its hash is kept. */
export function pushedRequestHash(reference: string): Uint8Array {
  return createHash('sha256').update(reference).digest();
}

const invalid = (detail: string): AuthError => new AuthError('validation_failed', { detail });

/** Why the authorization endpoint would show an error page, said as the JSON error of a push. */
const pageErrorDetails: Record<AuthorizationPageError, string> = {
  missing_client_id: 'client_id is required.',
  unknown_client: 'client_id names another client than the one authenticated.',
  missing_redirect_uri: 'redirect_uri is required.',
  unregistered_redirect_uri: 'redirect_uri must be one this client registered, exactly.',
  repeated_parameter: 'A parameter is repeated.',
  invalid_request_uri: 'A pushed request cannot itself carry a request_uri.',
};

/** The authorization endpoint's error codes (RFC 6749 4.1.2.1) that have an AuthError of their own; the rest are invalid_request. */
const refusalCodes: Readonly<Record<string, ErrorCode>> = { invalid_scope: 'invalid_scope', unauthorized_client: 'unauthorized_client', unsupported_response_type: 'unsupported_response_type' };

/**
 * `POST /oauth2/par` (RFC 9126): an authenticated client pushes its authorization request and
 * gets a `request_uri` to send the browser with instead (single use, {@link pushedRequestLifetimeSeconds}).
 * Everything the authorization endpoint checks is checked here, at push time, so a bad request
 * fails now with a JSON error (RFC 9126 2.3) instead of later in the user's browser
 * (docs/security.md SEC-210): every parameter one value, no `request_uri` inside (RFC 9126 2.1), no
 * request object, the `redirect_uri` one the client registered (exactly), and then
 * parse-authorization-request.ts in full: `response_type=code`, `response_mode`, scopes, PKCE,
 * `prompt`, `max_age`, `claims`; and an `id_token_hint` must be an ID token we issued to this
 * client. A DPoP proof sent with the push binds the code to its key (RFC 9449 §10.1, `proofJkt`).
 * The authorization endpoint checks the request again when the browser arrives (the
 * client's registration may have changed meanwhile).
 *
 * @example
 * const { requestUri, expiresInSeconds } = await pushAuthorizationRequest(deps, client, request.body, context.ip);
 */
export async function pushAuthorizationRequest(deps: PushDeps, client: Client, raw: Record<string, unknown>, ip: string, proofJkt: string | null = null): Promise<{ requestUri: string; expiresInSeconds: number }> {
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
  params['client_id'] = client.id;
  // RFC 9449 §10.1: the DPoP proof of the push (`proofJkt`) binds the code like dpop_jkt; both must name one key.
  if (proofJkt !== null) {
    if (params['dpop_jkt'] !== undefined && params['dpop_jkt'] !== proofJkt) throw new AuthError('invalid_dpop_proof', { detail: 'dpop_jkt and the DPoP proof name different keys.' });
    params['dpop_jkt'] = proofJkt;
  }
  const parsed = await parseAuthorizationRequest({ findById: async (id) => (id === client.id ? client : null) }, params, 'pushed');
  if (parsed.kind === 'page_error') throw invalid(pageErrorDetails[parsed.reason]);
  if (parsed.kind === 'redirect_error') throw new AuthError(refusalCodes[parsed.oauthError.error] ?? 'validation_failed', { detail: parsed.oauthError.description });
  const hint = parsed.params.idTokenHint;
  if (hint !== null) {
    const verified = await verifyIdTokenHint(deps, hint);
    if (verified === null || !verified.aud.includes(client.id)) throw invalid('id_token_hint is not an ID token Gatehouse issued to this client.');
  }

  const nowMs = deps.clock.nowMs();
  // A public client has no secret, so anyone may push for it, and each push stores up to 64 kB:
  // counted per IP like an authorization request that waits (docs/security.md SEC-217). A
  // confidential client's pushes come from its own server, authenticated, and are not.
  if (client.type === 'public') await deps.throttle.reserve([['authorizeIp', ip]], nowMs);
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
