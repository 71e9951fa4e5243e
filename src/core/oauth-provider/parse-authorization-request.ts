import type { AuthorizationParams, Client, ClientStore } from '../ports.ts';
import { isS256Challenge } from './pkce.ts';
import { parseClaimsRequest } from './claims-request.ts';
import { allowedScopes } from './scopes.ts';

/** Where an error (or a code) goes once the redirect URI matched one the client registered. */
export interface RedirectTarget {
  redirectUri: string;
  responseMode: 'query' | 'form_post';
  state: string | null;
}

/** Why no redirect is possible: shown on an error page, never sent anywhere (docs/security.md SEC-200). */
export type AuthorizationPageError = 'missing_client_id' | 'unknown_client' | 'missing_redirect_uri' | 'unregistered_redirect_uri' | 'repeated_parameter' | 'invalid_request_uri';

/** An OAuth error the client receives at its redirect URI (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export interface OAuthRedirectError {
  error: string;
  description: string;
}

export type ParsedAuthorizationRequest =
  | { kind: 'page_error'; reason: AuthorizationPageError }
  | { kind: 'redirect_error'; client: Client; target: RedirectTarget; oauthError: OAuthRedirectError }
  | { kind: 'ok'; client: Client; params: AuthorizationParams };

/** Raw request parameters: from the query (GET) or the form (POST). Repeated ones arrive as arrays. */
export type RawParams = Record<string, unknown>;

const maxValueLength = 4096;
const knownPrompts = ['none', 'login', 'consent', 'select_account'] as const;

function single(raw: RawParams, name: string): string | null | 'repeated' {
  const value = raw[name];
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string') return 'repeated';
  return value;
}

/**
 * Checks an authorization request (OIDC Core §3.1.2.1, RFC 6749 §4.1.1, RFC 7636, RFC 9700).
 *
 * The client and the redirect URI come first: until the redirect URI has matched one the client
 * registered, character for character, no error is redirected anywhere (an open redirector
 * otherwise); the caller shows an error page. After that, errors go to the client. Only
 * `response_type=code` (OAuth 2.1); PKCE S256 only, required of public clients and of clients
 * registered with `requirePkce`, and of every request that is not an OpenID request with a
 * `nonce` (RFC 9700 §2.1.1). Request objects (`request`, `request_uri` by value or by
 * reference) are not supported and answered as such (OIDC Core §6.1); a pushed request (RFC
 * 9126) arrives here as its parameters, `via: 'pushed'`, which is what a `requirePar` client needs.
 *
 * @example
 * const parsed = await parseAuthorizationRequest(store.clients, request.query);
 */
export async function parseAuthorizationRequest(clients: Pick<ClientStore, 'findById'>, raw: RawParams, via: 'front-channel' | 'pushed' = 'front-channel'): Promise<ParsedAuthorizationRequest> {
  const clientId = single(raw, 'client_id');
  if (clientId === 'repeated') return { kind: 'page_error', reason: 'repeated_parameter' };
  if (clientId === null) return { kind: 'page_error', reason: 'missing_client_id' };
  const client = clientId.length > 200 ? null : await clients.findById(clientId);
  if (client === null) return { kind: 'page_error', reason: 'unknown_client' };
  const redirectUri = single(raw, 'redirect_uri');
  if (redirectUri === 'repeated') return { kind: 'page_error', reason: 'repeated_parameter' };
  if (redirectUri === null) return { kind: 'page_error', reason: 'missing_redirect_uri' };
  // Exact string comparison: no normalization, no prefix, no case folding (SEC-200).
  if (!client.redirectUris.includes(redirectUri)) return { kind: 'page_error', reason: 'unregistered_redirect_uri' };

  const values: Record<string, string | null> = {};
  let repeated: string | null = null;
  for (const name of ['response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'login_hint', 'id_token_hint', 'ui_locales', 'acr_values', 'claims', 'dpop_jkt', 'request', 'request_uri']) {
    const value = single(raw, name);
    if (value === 'repeated' || (value !== null && value.length > maxValueLength)) repeated ??= name;
    values[name] = value === 'repeated' ? null : value;
  }
  const rawMode = values['response_mode'];
  const responseMode = rawMode === 'form_post' ? 'form_post' : 'query';
  const target: RedirectTarget = { redirectUri, responseMode, state: values['state'] ?? null };
  const fail = (error: string, description: string): ParsedAuthorizationRequest => ({ kind: 'redirect_error', client, target, oauthError: { error, description } });

  if (repeated !== null) return fail('invalid_request', `The parameter ${repeated} is repeated, or longer than ${maxValueLength} characters.`);
  if (rawMode !== null && rawMode !== undefined && rawMode !== 'query' && rawMode !== 'form_post') return fail('invalid_request', 'response_mode is query or form_post.');
  if (values['request'] !== null) return fail('request_not_supported', 'Request objects are not supported; send the parameters themselves.');
  if (values['request_uri'] !== null) return fail('request_uri_not_supported', 'request_uri is not supported here.');
  const responseType = values['response_type'];
  if (responseType === null || responseType === undefined) return fail('invalid_request', 'response_type is required (code).');
  if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.grantTypes.includes('authorization_code')) return fail('unauthorized_client', 'This client is not registered for the authorization_code grant.');
  if (client.requirePar && via !== 'pushed') return fail('invalid_request', 'This client must use a pushed authorization request.');

  const scopes = allowedScopes(client, values['scope'] ?? '');
  if (scopes.length === 0) return fail('invalid_scope', 'Ask for at least one scope this client may have (openid, for a login).');
  const openId = scopes.includes('openid');
  const nonce = openId ? (values['nonce'] ?? null) : null;

  const challenge = values['code_challenge'] ?? null;
  const method = values['code_challenge_method'] ?? null;
  if (challenge !== null) {
    if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
    if (!isS256Challenge(challenge)) return fail('invalid_request', 'code_challenge must be base64url(SHA-256(code_verifier)), 43 characters.');
  } else {
    if (method !== null) return fail('invalid_request', 'code_challenge_method without code_challenge.');
    if (client.type === 'public') return fail('invalid_request', 'A public client must use PKCE (code_challenge with S256).');
    if (client.requirePkce) return fail('invalid_request', 'This client is registered to require PKCE (code_challenge with S256).');
    if (nonce === null) return fail('invalid_request', 'Use PKCE (code_challenge with S256), or send an OpenID request (scope openid) with a nonce.');
  }

  const prompt: AuthorizationParams['prompt'] = [];
  for (const value of (values['prompt'] ?? '').split(' ').filter((p) => p !== '')) {
    if (!(knownPrompts as readonly string[]).includes(value)) return fail('invalid_request', `Unknown prompt value ${JSON.stringify(value.slice(0, 40))}.`);
    // select_account: there is one account per browser session, so it is already selected.
    if (value !== 'select_account' && !prompt.includes(value as 'none')) prompt.push(value as 'none' | 'login' | 'consent');
  }
  if (prompt.includes('none') && prompt.length > 1) return fail('invalid_request', 'prompt=none cannot be combined with other values.');

  const rawMaxAge = values['max_age'];
  let maxAgeSeconds: number | null = null;
  if (rawMaxAge !== null && rawMaxAge !== undefined) {
    if (!/^\d{1,10}$/.test(rawMaxAge)) return fail('invalid_request', 'max_age is a number of seconds.');
    maxAgeSeconds = Number(rawMaxAge);
  }

  // OIDC Core §5.5: standard claims asked for one by one; malformed JSON is the client's error.
  const claimsText = values['claims'] ?? null;
  const claims = claimsText === null ? null : parseClaimsRequest(claimsText);
  if (claims === 'invalid') return fail('invalid_request', 'claims is a JSON object whose id_token and userinfo members name claims, each null or an object (OIDC Core 5.5).');

  // RFC 9449 §10: a base64url SHA-256 JWK thumbprint (RFC 7638) of the key the code is bound to.
  const dpopJkt = values['dpop_jkt'] ?? null;
  if (dpopJkt !== null && !/^[A-Za-z0-9_-]{43}$/.test(dpopJkt)) return fail('invalid_request', 'dpop_jkt is the base64url SHA-256 JWK thumbprint of a DPoP key (43 characters).');

  return {
    kind: 'ok',
    client,
    params: {
      clientId: client.id,
      redirectUri,
      scope: scopes.join(' '),
      state: target.state,
      nonce,
      codeChallenge: challenge,
      responseMode,
      prompt,
      maxAgeSeconds,
      loginHint: values['login_hint'] ?? null,
      idTokenHint: values['id_token_hint'] ?? null,
      uiLocales: values['ui_locales'] ?? null,
      acrValues: values['acr_values'] ?? null,
      ...(claims === null || claims.idToken.length === 0 ? {} : { idTokenClaims: claims.idToken }),
      ...(claims === null || claims.subject === null ? {} : { subject: claims.subject }),
      ...(claims === null || claims.essentialAcr === null ? {} : { essentialAcr: claims.essentialAcr }),
      ...(dpopJkt === null ? {} : { dpopJkt }),
    },
  };
}
