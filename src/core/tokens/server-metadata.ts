import { providerPaths } from '../oauth-provider/provider-paths.ts';
import { clientAssertionAlgorithms } from '../clients/verify-client-assertion.ts';
import { dpopSigningAlgorithms } from '../dpop/verify-dpop-proof.ts';

/**
 * The grants the token endpoint knows. `src/http/routes/token.ts` keys its grant registry by this
 * list (a grant missing from either fails the type check), so the metadata below cannot advertise
 * a grant the endpoint lacks, nor miss one it has.
 */
export const tokenEndpointGrantTypes = ['authorization_code', 'password', 'refresh_token', 'client_credentials'] as const;
export type TokenEndpointGrantType = (typeof tokenEndpointGrantTypes)[number];

/**
 * RFC 7591 2.1: the response type each grant uses at the authorization endpoint. The password
 * and refresh-token grants use none (they never visit an authorization endpoint), so the server
 * lists a response type only once a grant that needs one is enabled.
 */
const responseTypesOfGrant: Record<string, readonly string[]> = {
  authorization_code: ['code'],
  implicit: ['token'],
  password: [],
  refresh_token: [],
  client_credentials: [],
};

/** How a client authenticates where it authenticates: what `clientCredentials()` in routes/token.ts accepts. */
export const tokenEndpointAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
/** Introspection is for confidential clients only, so `none` is not offered there. */
export const introspectionEndpointAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;

/** What is switched on, as the running server sees it. */
export interface EnabledTokenFeatures {
  issuer: string;
  passwordGrantEnabled: boolean;
  /** The algorithms of the keys in the JWKS (the ones that sign, will sign, or signed live tokens). */
  signingAlgorithms: readonly string[];
  /** Scopes a client may request; none are defined yet. */
  scopes: readonly string[];
}

/** The grants the token endpoint accepts with this configuration. */
export function enabledGrantTypes(features: Pick<EnabledTokenFeatures, 'passwordGrantEnabled'>): TokenEndpointGrantType[] {
  return tokenEndpointGrantTypes.filter((grant) => grant !== 'password' || features.passwordGrantEnabled);
}

/**
 * The RFC 8414 authorization server metadata document, built from what is really enabled rather
 * than written by hand: the grants the token endpoint accepts, the response types those grants use
 * (RFC 7591 2.1), the client authentication the endpoints check, and the algorithms of the
 * published keys. The OpenID Provider's document (core/oauth-provider/discovery.ts) is this
 * one plus the OpenID fields, so the two never disagree.
 *
 * @example
 * const metadata = authorizationServerMetadata({ issuer: 'https://auth.example.com', passwordGrantEnabled: true, signingAlgorithms: ['ES256'], scopes: [] });
 * metadata.grant_types_supported; // ['authorization_code', 'password', 'refresh_token']
 */
export function authorizationServerMetadata(features: EnabledTokenFeatures): Record<string, unknown> {
  const grants = enabledGrantTypes(features);
  const responseTypes = [...new Set(grants.flatMap((grant) => responseTypesOfGrant[grant] ?? []))];
  const { issuer } = features;
  return {
    issuer,
    // The OpenID Provider's authorization endpoint (http/pages/authorize.ts).
    ...(grants.includes('authorization_code')
      ? {
          authorization_endpoint: `${issuer}${providerPaths.authorization}`,
          response_modes_supported: ['query', 'form_post'],
          code_challenge_methods_supported: ['S256'],
          // RFC 9207: every authorization response carries `iss`.
          authorization_response_iss_parameter_supported: true,
          // RFC 9126: open to every client; required only of clients registered with --require-par.
          pushed_authorization_request_endpoint: `${issuer}${providerPaths.pushedAuthorizationRequest}`,
          require_pushed_authorization_requests: false,
        }
      : {}),
    token_endpoint: `${issuer}/v1/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    grant_types_supported: grants,
    response_types_supported: responseTypes,
    ...(features.scopes.length > 0 ? { scopes_supported: [...features.scopes] } : {}),
    token_endpoint_auth_methods_supported: [...tokenEndpointAuthMethods],
    token_endpoint_auth_signing_alg_values_supported: [...clientAssertionAlgorithms],
    revocation_endpoint: `${issuer}/v1/token/revoke`,
    revocation_endpoint_auth_methods_supported: [...tokenEndpointAuthMethods],
    introspection_endpoint: `${issuer}/v1/token/introspect`,
    introspection_endpoint_auth_methods_supported: [...introspectionEndpointAuthMethods],
    // Gatehouse extension: the revocation feed resource servers follow (SSE, client credentials).
    revocation_feed_endpoint: `${issuer}/v1/revocations`,
    // Not registered by RFC 8414; the algorithms a verifier must accept for the current keys.
    access_token_signing_alg_values_supported: [...new Set(features.signingAlgorithms)],
    // RFC 9449 5.1: every grant accepts a DPoP proof signed with one of these.
    dpop_signing_alg_values_supported: [...dpopSigningAlgorithms],
  };
}
