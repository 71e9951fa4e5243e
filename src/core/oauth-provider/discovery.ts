import { idTokenSigningAlgorithms, openIdScopes } from '../clients/client-oidc-policy.ts';
import { authorizationServerMetadata, type EnabledTokenFeatures } from '../tokens/server-metadata.ts';
import { acrOf } from './issue-authorization-code.ts';
import { providerPaths } from './provider-paths.ts';


/** The claims an ID token or the UserInfo endpoint may carry (core/accounts/user-claims.ts, issue-id-token.ts). */
const claimsSupported = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid', 'name', 'given_name', 'family_name', 'picture', 'locale', 'updated_at', 'email', 'email_verified'];

/**
 * The OpenID Provider configuration (OpenID Connect Discovery 1.0 §3): the RFC 8414 document of
 * server-metadata.ts, with the same values wherever both speak, plus what only OpenID Connect
 * has: the UserInfo and end-session endpoints, subject types, ID token algorithms (RS256 first,
 * the default), claims, ACR values and prompts. Request objects are not supported, and the
 * document says so.
 *
 * @example
 * const configuration = openIdConfiguration({ issuer, passwordGrantEnabled: false, signingAlgorithms: ['ES256'], scopes: [] });
 */
export function openIdConfiguration(features: EnabledTokenFeatures): Record<string, unknown> {
  const { issuer } = features;
  return {
    ...authorizationServerMetadata({ ...features, scopes: [...new Set([...openIdScopes, ...features.scopes])] }),
    userinfo_endpoint: `${issuer}${providerPaths.userinfo}`,
    end_session_endpoint: `${issuer}${providerPaths.endSession}`,
    // Back-Channel Logout 1.0 §2.1: logout tokens on every session end, always with `sid` (core/logout/).
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...idTokenSigningAlgorithms],
    claims_supported: claimsSupported,
    // OIDC Core §5.5: standard claims asked for one by one, within the granted scopes (claims-request.ts).
    claims_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    acr_values_supported: [acrOf([]), acrOf(['mfa'])],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
  };
}
