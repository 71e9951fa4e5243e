import { AuthError } from '../errors.ts';
import type { Client, ClientType, GrantType, RefreshTokenDelivery } from '../ports.ts';

/** Every grant a client may be registered for. The token endpoint decides what each one means. */
export const grantTypes: readonly GrantType[] = Object.freeze(['password', 'refresh_token', 'session', 'authorization_code', 'client_credentials']);
export const clientTypes: readonly ClientType[] = Object.freeze(['public', 'confidential']);
export const refreshTokenDeliveries: readonly RefreshTokenDelivery[] = Object.freeze(['body', 'cookie']);

export const maxClientNameLength = 100;
export const maxClientIdLength = 100;
export const maxAudienceLength = 2048;

// Client ids travel in HTTP Basic credentials, form bodies, logs and CLI tables: unreserved
// URI characters only (RFC 3986 §2.3), so none of them needs escaping anywhere.
const clientIdPattern = /^[A-Za-z0-9._~-]+$/;
// C0/C1 controls and line/paragraph separators: they would forge lines in logs and CLI output.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const whitespace = /\s/;

function invalid(detail: string): AuthError {
  return new AuthError('validation_failed', { detail });
}

/** A client as an operator sees it in a listing: everything but the secret's hash. */
export type ClientView = Omit<Client, 'secretHash'>;

/**
 * Copies field by field, never by spread: a field added to Client later (another secret, say)
 * fails the type check here until someone decides it may be shown, instead of leaking silently.
 */
export function toClientView(client: Client): ClientView {
  return {
    id: client.id,
    name: client.name,
    type: client.type,
    grantTypes: [...client.grantTypes],
    audience: client.audience,
    refreshTokenDelivery: client.refreshTokenDelivery,
    redirectUris: [...client.redirectUris],
    postLogoutRedirectUris: [...client.postLogoutRedirectUris],
    backchannelLogoutUri: client.backchannelLogoutUri,
    scopes: [...client.scopes],
    skipConsent: client.skipConsent,
    requirePkce: client.requirePkce,
    requirePar: client.requirePar,
    requireDpop: client.requireDpop,
    tokenEndpointAuthMethod: client.tokenEndpointAuthMethod,
    acceptsEitherSecretMethod: client.acceptsEitherSecretMethod,
    jwksUri: client.jwksUri,
    // Public keys only (parseClientJwks refuses private members), so they may be shown.
    jwks: client.jwks === null ? null : { keys: client.jwks.keys.map((key) => ({ ...key })) },
    idTokenSignedResponseAlg: client.idTokenSignedResponseAlg,
    createdAtMs: client.createdAtMs,
  };
}

export function assertClientId(id: string): void {
  if (id.length === 0 || id.length > maxClientIdLength || !clientIdPattern.test(id)) {
    throw invalid(`A client id is 1 to ${maxClientIdLength} characters from A-Z a-z 0-9 . _ ~ -.`);
  }
}

export function assertClientName(name: string): void {
  const codePoints = [...name].length;
  if (name.trim().length === 0 || codePoints > maxClientNameLength) throw invalid(`A client name is 1 to ${maxClientNameLength} characters, not only spaces.`);
  if (controlCharacters.test(name)) throw invalid('A client name must not contain control characters.');
}

export function assertClientType(type: string): asserts type is ClientType {
  if (!(clientTypes as readonly string[]).includes(type)) throw invalid(`A client type is one of: ${clientTypes.join(', ')}.`);
}

/** Checks the list and returns it without repeats, in the order given. */
export function normalizeGrantTypes(requested: readonly string[]): GrantType[] {
  if (requested.length === 0) throw invalid(`Give at least one grant type (${grantTypes.join(', ')}).`);
  const unknown = requested.filter((g) => !(grantTypes as readonly string[]).includes(g));
  if (unknown.length > 0) throw invalid(`Unknown grant type ${unknown.map((g) => JSON.stringify(g)).join(', ')}; allowed: ${grantTypes.join(', ')}.`);
  return [...new Set(requested as readonly GrantType[])];
}

/**
 * The audience becomes the `aud` of every access token the client receives, compared exactly
 * by resource servers: an API identifier or a URL, taken verbatim (no normalization, so what
 * the operator typed is what the API must expect).
 */
export function assertAudience(audience: string): void {
  if (audience.length === 0 || audience.length > maxAudienceLength) throw invalid(`An audience is 1 to ${maxAudienceLength} characters.`);
  if (whitespace.test(audience) || controlCharacters.test(audience)) throw invalid('An audience must not contain whitespace or control characters.');
}

/**
 * Cookie delivery is for browser apps, which are public clients: a confidential client is a
 * server, which has no cookie jar worth the name and keeps its refresh token in its own store.
 */
export function assertRefreshTokenDelivery(delivery: string, type: ClientType): asserts delivery is RefreshTokenDelivery {
  if (!(refreshTokenDeliveries as readonly string[]).includes(delivery)) throw invalid(`A refresh token delivery is one of: ${refreshTokenDeliveries.join(', ')}.`);
  if (delivery === 'cookie' && type !== 'public') throw invalid('Cookie delivery of refresh tokens is for browser apps, which are public clients.');
}
