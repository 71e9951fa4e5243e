import { hashSecret } from '../sessions/session-token.ts';
import { AuthError } from '../errors.ts';
import { randomId } from '../sessions/session-token.ts';
import type { CoreDeps } from '../deps.ts';
import type { Client, ClientType, GrantType, RefreshTokenDelivery } from '../ports.ts';
import { assertAudience, assertClientId, assertClientName, assertClientType, assertRefreshTokenDelivery, normalizeGrantTypes } from './client-policy.ts';
import { assertGrantsFit, assertIdTokenSigningAlgorithm, defaultIdTokenSigningAlgorithm, normalizeScopes, parseClientJwks, resolveTokenEndpointAuthMethod } from './client-oidc-policy.ts';
import { assertServerUri, normalizeRedirectUris } from './redirect-uri-policy.ts';

// 256 bits, like a session secret: far beyond guessing, so the hash at rest is defence in
// depth for a stolen database, not what makes the secret hard to guess.
const clientSecretBytes = 32;

export interface NewClient {
  name: string;
  type: ClientType;
  grantTypes: GrantType[];
  /**
   * The `aud` of the access tokens the client receives: an API identifier or URL, no whitespace.
   * Without one, the client's own id: its access tokens then address no other API (they still
   * open Gatehouse's /userinfo).
   */
  audience?: string;
  /**
   * `cookie` for a browser app: its refresh tokens are set in an HttpOnly `__Host-` cookie and
   * never appear in a response body a script could read. Public clients only; `body` by default.
   */
  refreshTokenDelivery?: RefreshTokenDelivery;
  /** Chosen by the operator (A-Z a-z 0-9 . _ ~ -, at most 100); a random 22-character id otherwise. */
  id?: string;
  /** Required with the authorization_code grant; see redirect-uri-policy.ts for what is allowed. */
  redirectUris?: string[];
  postLogoutRedirectUris?: string[];
  backchannelLogoutUri?: string;
  /** API scopes the client may ask for, beyond openid, profile, email and offline_access. */
  scopes?: string[];
  skipConsent?: boolean;
  requirePkce?: boolean;
  requirePar?: boolean;
  requireDpop?: boolean;
  /** `none` for a public client, `client_secret_basic` for a confidential one unless given. */
  tokenEndpointAuthMethod?: string;
  jwksUri?: string;
  /** An inline JWKS (parsed JSON) of public keys, for private_key_jwt. */
  jwks?: unknown;
  /** RS256 unless given. */
  idTokenSignedResponseAlg?: string;
}

export interface CreatedClient {
  client: Client;
  /** The client's secret (client_secret_basic or client_secret_post): returned this once and never stored (only its SHA-256 hash is). Null otherwise. */
  secret: string | null;
}

/** Every field checked alone and together, before anything is generated or stored. */
function validated(input: NewClient): Omit<Client, 'id' | 'secretHash' | 'createdAtMs' | 'audience'> & { audience: string | undefined } {
  assertClientName(input.name);
  assertClientType(input.type);
  const grantTypes = normalizeGrantTypes(input.grantTypes);
  if (input.audience !== undefined) assertAudience(input.audience);
  if (input.id !== undefined) assertClientId(input.id);
  const refreshTokenDelivery = input.refreshTokenDelivery ?? 'body';
  assertRefreshTokenDelivery(refreshTokenDelivery, input.type);
  const redirectUris = normalizeRedirectUris(input.redirectUris ?? [], input.type, 'redirect URI');
  const postLogoutRedirectUris = normalizeRedirectUris(input.postLogoutRedirectUris ?? [], input.type, 'post-logout redirect URI');
  if (input.backchannelLogoutUri !== undefined) assertServerUri(input.backchannelLogoutUri, 'back-channel logout URI');
  if (input.jwksUri !== undefined) assertServerUri(input.jwksUri, 'JWKS URI');
  if (input.jwksUri !== undefined && input.jwks !== undefined) throw new AuthError('validation_failed', { detail: 'Give a JWKS URI or an inline JWKS, not both.' });
  const jwks = input.jwks === undefined ? null : parseClientJwks(input.jwks);
  const tokenEndpointAuthMethod = resolveTokenEndpointAuthMethod(input.tokenEndpointAuthMethod, input.type);
  const idTokenSignedResponseAlg = input.idTokenSignedResponseAlg ?? defaultIdTokenSigningAlgorithm;
  assertIdTokenSigningAlgorithm(idTokenSignedResponseAlg);
  assertGrantsFit({ type: input.type, grantTypes, redirectUris, method: tokenEndpointAuthMethod, hasJwks: jwks !== null || input.jwksUri !== undefined });
  return {
    name: input.name,
    type: input.type,
    grantTypes,
    audience: input.audience,
    refreshTokenDelivery,
    redirectUris,
    postLogoutRedirectUris,
    backchannelLogoutUri: input.backchannelLogoutUri ?? null,
    scopes: normalizeScopes(input.scopes ?? []),
    skipConsent: input.skipConsent === true,
    requirePkce: input.requirePkce === true,
    requirePar: input.requirePar === true,
    requireDpop: input.requireDpop === true,
    tokenEndpointAuthMethod,
    // Enforced from registration on: only clients that predate enforcement keep the leeway.
    acceptsEitherSecretMethod: false,
    jwksUri: input.jwksUri ?? null,
    jwks,
    idTokenSignedResponseAlg,
  };
}

/**
 * Registers an OAuth client.
 *
 * A confidential client (a server-side app) that authenticates with a secret gets a random one,
 * stored only as a SHA-256 hash; one using private_key_jwt gets none (its keys are its
 * credential). A public client (a mobile, desktop or single-page app, which cannot keep a
 * secret) gets none and authenticates with its id alone. Public clients may be registered for
 * every grant but client_credentials: `password` is authenticated by the user's own password,
 * `session` by the user's session and `authorization_code` by PKCE, so a client secret shipped
 * inside an app would add nothing an attacker could not extract; what limits a public client is
 * that its id is not a credential (see authenticateClient).
 *
 * @example
 * const { client, secret } = await createClient(deps, {
 *   name: 'Billing backend', type: 'confidential', grantTypes: ['authorization_code', 'refresh_token'],
 *   redirectUris: ['https://billing.example.com/callback'], audience: 'https://api.example.com',
 * });
 * // Show `secret` to the operator now: it cannot be recovered later.
 */
export async function createClient(deps: CoreDeps, input: NewClient): Promise<CreatedClient> {
  const fields = validated(input);
  const usesSecret = fields.tokenEndpointAuthMethod === 'client_secret_basic' || fields.tokenEndpointAuthMethod === 'client_secret_post';
  const secret = usesSecret ? Buffer.from(deps.random.bytes(clientSecretBytes)).toString('base64url') : null;
  // A 256-bit random secret needs no slow hash (nothing to brute-force); SHA-256 keeps the
  // token endpoint fast and gives no one a way to make it burn argon2id time per request.
  const secretHash = secret === null ? null : Buffer.from(hashSecret(secret)).toString('base64url');
  const id = input.id ?? randomId(deps.random);
  const client: Client = { ...fields, id, audience: fields.audience ?? id, secretHash, createdAtMs: deps.clock.nowMs() };
  if ((await deps.store.clients.create(client)) === 'id_taken') throw new AuthError('client_id_taken', { detail: `A client with id ${client.id} already exists.` });
  return { client, secret };
}
