import * as client from 'openid-client';
import { AuthError } from '../errors.ts';

/**
 * Turns what openid-client throws into the error the user sees. A refusal at the provider
 * (the user denied consent) is `oauth_denied`; the provider unreachable or failing is
 * `oauth_provider_unavailable`; everything else (state, PKCE, nonce, issuer, audience,
 * signature, an error at the token endpoint) is `oauth_response_invalid`: nobody logs in.
 */
export function classifyProviderError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    if (error.error === 'access_denied') return new AuthError('oauth_denied', { cause: error });
    return new AuthError('oauth_response_invalid', { detail: `The provider answered "${error.error.slice(0, 64)}".`, cause: error });
  }
  const name = error instanceof Error ? error.name : '';
  const unreachable =
    name === 'TimeoutError' ||
    name === 'AbortError' ||
    (error instanceof TypeError && error.message === 'fetch failed') ||
    (error instanceof client.ResponseBodyError && error.status >= 500) ||
    (error instanceof client.ClientError && error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM');
  if (unreachable) return new AuthError('oauth_provider_unavailable', { cause: error });
  return new AuthError('oauth_response_invalid', { cause: error });
}
