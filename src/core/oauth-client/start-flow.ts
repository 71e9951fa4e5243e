import * as client from 'openid-client';
import { AuthError } from '../errors.ts';
import type { CoreDeps } from '../deps.ts';
import type { SessionWithUser } from '../ports.ts';
import { requireRecentAuthenticationToAddFactor } from '../sessions/recent-authentication.ts';
import type { OAuthProvider } from './connect-provider.ts';
import { newFlowSecrets } from './flow-secrets.ts';
import { hashReference } from '../trace/hash-reference.ts';
import { redirectUri, type OAuthDeps } from './oauth-deps.ts';

export interface StartFlowInput {
  providerId: string;
  /** Already made safe by the HTTP layer (safeReturnTo). */
  returnTo: string;
  /** The signed-in user's session, when they link a provider from /account. */
  linkFor?: SessionWithUser;
  /** The client's IP: starts are throttled per IP, since each one stores a flow record. */
  ip: string;
}

export interface StartedFlow {
  /** Where to send the browser: the provider's authorization endpoint with every parameter. */
  authorizationUrl: string;
  /** The flow cookie's value: binds the flow to this browser. */
  cookieValue: string;
  expiresAtMs: number;
}

export function findProvider(oauth: OAuthDeps, providerId: string): OAuthProvider {
  const provider = oauth.providers.get(providerId);
  if (provider === undefined) throw new AuthError('oauth_provider_unknown');
  return provider;
}

/**
 * Starts a social login (or a link): stores the flow record (no secrets in it), and builds the
 * authorization URL with `state`, PKCE S256 and, for OpenID Connect, `nonce`.
 */
export async function startFlow(deps: CoreDeps, oauth: OAuthDeps, input: StartFlowInput): Promise<StartedFlow> {
  const provider = findProvider(oauth, input.providerId);
  // Linking is a sensitive change: a provider account linked with a stolen session cookie would
  // be a lasting way in, past password changes and "sign out everywhere" (docs/security.md SEC-100).
  if (input.linkFor !== undefined) await requireRecentAuthenticationToAddFactor(deps, input.linkFor, undefined, { ip: input.ip, userAgent: input.linkFor.session.userAgent });
  // Every start counts (a login that succeeds is no reason to refund it): the limit is on rows
  // stored per IP, generous enough for people behind one NAT.
  await deps.throttle.reserve([['oauthStartIp', input.ip]], deps.clock.nowMs());
  const secrets = newFlowSecrets(oauth.flowKey, deps.random);
  const nowMs = deps.clock.nowMs();
  const expiresAtMs = nowMs + oauth.flowTtlMs;
  await deps.store.oauthFlows.insert({
    idHash: secrets.idHash,
    provider: provider.config.id,
    purpose: input.linkFor === undefined ? 'login' : 'link',
    userId: input.linkFor?.user.id ?? null,
    returnTo: input.returnTo,
    createdAtMs: nowMs,
    expiresAtMs,
  });
  const parameters: Record<string, string> = {
    redirect_uri: redirectUri(oauth.publicUrl, provider.config.id),
    scope: provider.config.scopes.join(' '),
    state: secrets.state,
    code_challenge: await client.calculatePKCECodeChallenge(secrets.codeVerifier),
    code_challenge_method: 'S256',
  };
  if (provider.config.kind === 'oidc') parameters.nonce = secrets.nonce;
  const authorizationUrl = client.buildAuthorizationUrl(provider.client, parameters);
  deps.trace?.step({
    kind: 'oauth',
    title: `Social login started: redirect to ${provider.config.displayName}`,
    outcome: 'info',
    detail: {
      provider: provider.config.id,
      authorizationEndpoint: `${authorizationUrl.origin}${authorizationUrl.pathname}`,
      ...parameters,
      codeVerifier: 'not sent: derived from the flow cookie secret, it goes only to the token endpoint',
      flowRecord: `stored under ${hashReference(secrets.idHash)}, single use, ${String(oauth.flowTtlMs / 60_000)} minutes`,
    },
    teach: 'pkce',
  });
  return { authorizationUrl: authorizationUrl.href, cookieValue: secrets.cookieValue, expiresAtMs };
}
