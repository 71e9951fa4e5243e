import { AuthError } from '../errors.ts';
import type { ClientJwk, ClientType, GrantType, IdTokenSigningAlgorithm, TokenEndpointAuthMethod } from '../ports.ts';

export const tokenEndpointAuthMethodNames: readonly TokenEndpointAuthMethod[] = Object.freeze(['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none']);
export const idTokenSigningAlgorithms: readonly IdTokenSigningAlgorithm[] = Object.freeze(['RS256', 'ES256', 'EdDSA']);
/** OIDC's mandatory-to-implement algorithm (Core §15.1): every relying party verifies it. */
export const defaultIdTokenSigningAlgorithm: IdTokenSigningAlgorithm = 'RS256';
/** The scopes of OpenID Connect itself, open to every client that uses the authorization endpoint. */
export const openIdScopes: readonly string[] = Object.freeze(['openid', 'profile', 'email', 'offline_access']);

const maxScopes = 50;
const maxScopeLength = 100;
const maxJwks = 10;
// RFC 6749 §3.3 scope-token: printable ASCII except space, double quote and backslash.
const scopeTokenPattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
// Members that only a private or symmetric key has (RFC 7518 §6): a client registers public keys only.
const privateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const jwkKeyTypes = ['RSA', 'EC', 'OKP'];

function invalid(detail: string): AuthError {
  return new AuthError('validation_failed', { detail });
}

/** Checks the API scopes a client may ask for; returns them without repeats, in the order given. */
export function normalizeScopes(scopes: readonly string[]): string[] {
  for (const scope of scopes) {
    if (scope.length > maxScopeLength || !scopeTokenPattern.test(scope)) throw invalid(`A scope is 1 to ${maxScopeLength} printable ASCII characters without spaces, quotes or backslashes: ${JSON.stringify(scope)}.`);
  }
  const unique = [...new Set(scopes)];
  if (unique.length > maxScopes) throw invalid(`A client registers at most ${maxScopes} scopes.`);
  return unique;
}

export function assertIdTokenSigningAlgorithm(alg: string): asserts alg is IdTokenSigningAlgorithm {
  if (!(idTokenSigningAlgorithms as readonly string[]).includes(alg)) throw invalid(`An ID token algorithm is one of: ${idTokenSigningAlgorithms.join(', ')}.`);
}

/**
 * The token endpoint authentication method fits the client type: a public client cannot keep a
 * secret or a private key, so it is `none` (and must use PKCE); a confidential client proves
 * itself with a secret (basic or post) or a signed assertion (private_key_jwt), never with nothing.
 */
export function resolveTokenEndpointAuthMethod(method: string | undefined, type: ClientType): TokenEndpointAuthMethod {
  const resolved = method ?? (type === 'public' ? 'none' : 'client_secret_basic');
  if (!(tokenEndpointAuthMethodNames as readonly string[]).includes(resolved)) throw invalid(`A token endpoint auth method is one of: ${tokenEndpointAuthMethodNames.join(', ')}.`);
  if (type === 'public' && resolved !== 'none') throw invalid('A public client cannot keep a secret or a key: its token endpoint auth method is none.');
  if (type === 'confidential' && resolved === 'none') throw invalid('A confidential client authenticates: client_secret_basic, client_secret_post or private_key_jwt.');
  return resolved as TokenEndpointAuthMethod;
}

/**
 * An inline JWKS for private_key_jwt: 1 to 10 public RSA, EC or OKP keys. A private or symmetric
 * key is refused, so a key pasted by mistake never sits in the database as if it were public.
 */
export function parseClientJwks(value: unknown): { keys: ClientJwk[] } {
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > maxJwks) throw invalid(`A JWKS is a JSON object {"keys": [...]} with 1 to ${maxJwks} keys.`);
  return {
    keys: keys.map((key: unknown) => {
      if (typeof key !== 'object' || key === null || Array.isArray(key)) throw invalid('Every key of a JWKS is a JSON object.');
      const jwk = key as Record<string, unknown>;
      if (typeof jwk.kty !== 'string' || !jwkKeyTypes.includes(jwk.kty)) throw invalid(`A client key is of type ${jwkKeyTypes.join(', ')}.`);
      if (privateJwkMembers.some((member) => member in jwk)) throw invalid('A client registers public keys only: this JWKS holds a private or symmetric key.');
      return { ...jwk, kty: jwk.kty };
    }),
  };
}

/** The grants and the client's other settings fit together (checked after each field alone). */
export function assertGrantsFit(input: { type: ClientType; grantTypes: readonly GrantType[]; redirectUris: readonly string[]; method: TokenEndpointAuthMethod; hasJwks: boolean }): void {
  const usesCode = input.grantTypes.includes('authorization_code');
  if (usesCode && input.redirectUris.length === 0) throw invalid('The authorization_code grant needs at least one redirect URI.');
  if (!usesCode && input.redirectUris.length > 0) throw invalid('Redirect URIs are for the authorization_code grant; add --grant authorization_code.');
  if (input.grantTypes.includes('client_credentials') && input.type !== 'confidential') throw invalid('The client_credentials grant is for confidential clients: a public client cannot authenticate.');
  if (input.method === 'private_key_jwt' && !input.hasJwks) throw invalid('private_key_jwt needs the client’s public keys: a JWKS URI or an inline JWKS.');
  if (input.method !== 'private_key_jwt' && input.hasJwks) throw invalid('A JWKS URI or inline JWKS is for the private_key_jwt auth method.');
}
