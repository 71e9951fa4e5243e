/** The storage port of OAuth clients (the apps that ask Gatehouse for tokens). */
import type { JWTVerifyGetKey } from 'jose';

export type ClientType = 'public' | 'confidential';
/**
 * What a client may be registered for. `authorization_code` and `client_credentials` are the
 * OpenID Provider's grants (docs/openid-provider.md); the token endpoint decides what each means.
 */
export type GrantType = 'password' | 'refresh_token' | 'session' | 'authorization_code' | 'client_credentials';
/**
 * Where the token endpoint puts a client's refresh token. `body`: in the JSON response (servers,
 * native apps). `cookie`: only in an HttpOnly `__Host-` cookie, never where a script can read it
 * (browser apps; public clients only).
 */
export type RefreshTokenDelivery = 'body' | 'cookie';
/** How a client authenticates at the token endpoint (OpenID Connect Dynamic Registration §2 names). */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
/** The algorithm of the ID tokens a client receives (`id_token_signed_response_alg`). */
export type IdTokenSigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

/** A public JSON Web Key as registered for a client (private_key_jwt); never holds private members. */
export type ClientJwk = Record<string, unknown> & { kty: string };

/** An OAuth client: an app that asks Gatehouse for tokens. */
export interface Client {
  id: string;
  name: string;
  type: ClientType;
  /** SHA-256 (base64url) of the client secret, confidential clients only: the secret is 256 random bits. */
  secretHash: string | null;
  grantTypes: GrantType[];
  /** The `aud` of the access tokens it receives: the API they are for. */
  audience: string;
  refreshTokenDelivery: RefreshTokenDelivery;
  /** Where the authorization endpoint may send the browser back: compared exactly, character for character. */
  redirectUris: string[];
  /** Where RP-initiated logout may send the browser afterwards: compared exactly. */
  postLogoutRedirectUris: string[];
  /** Where back-channel logout tokens are POSTed; null when the client takes none. */
  backchannelLogoutUri: string | null;
  /** API scopes it may ask for, beyond the OpenID ones (openid profile email offline_access). */
  scopes: string[];
  /** A first-party app: its users are never asked for consent. */
  skipConsent: boolean;
  /** PKCE even when the OpenID nonce would do (confidential clients); public clients always need it. */
  requirePkce: boolean;
  /** Authorization requests only through pushed authorization requests (RFC 9126). */
  requirePar: boolean;
  /** Tokens only bound to a DPoP key (RFC 9449). */
  requireDpop: boolean;
  /** How it must authenticate at the token, revocation, introspection and PAR endpoints; another method is `invalid_client`. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /**
   * Registered before the method was enforced (migration 0020): a secret in HTTP Basic or in the
   * body is accepted, whichever of client_secret_basic and client_secret_post is registered, as it
   * always was for such clients. False for every client registered since.
   */
  acceptsEitherSecretMethod: boolean;
  /** private_key_jwt: where its public keys are published, or null. */
  jwksUri: string | null;
  /** private_key_jwt: its public keys, inline, or null. */
  jwks: { keys: ClientJwk[] } | null;
  idTokenSignedResponseAlg: IdTokenSigningAlgorithm;
  createdAtMs: number;
}

export interface ClientStore {
  create(client: Client): Promise<'created' | 'id_taken'>;
  findById(id: string): Promise<Client | null>;
  list(): Promise<Client[]>;
  delete(id: string): Promise<boolean>;
}

/**
 * The keys a private_key_jwt client publishes at its `jwks_uri`. The adapter fetches with a
 * timeout and a size cap, caches, refetches an unknown `kid` at most every so often, and refuses
 * addresses it must not reach (src/delivery/client-jwks-source.ts).
 */
export interface ClientJwksSource {
  /** A jose key resolver over the JWKS at `jwksUri`. */
  keySetFor(jwksUri: string): JWTVerifyGetKey;
}
