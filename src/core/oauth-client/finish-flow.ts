import { hash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { hashReference } from '../trace/hash-reference.ts';
import type { TraceStep, TraceValue } from '../trace/ports.ts';
import { auditEvent } from '../audit/audit-event.ts';
import type { CoreDeps, RequestContext } from '../deps.ts';
import { AuthError } from '../errors.ts';
import type { OAuthFlow, OAuthIdentity, SessionWithUser, User } from '../ports.ts';
import type { StartedSession } from '../sessions/start-session.ts';
import { classifyProviderError } from './classify-provider-error.ts';
import { describeProviderFailure, type ProviderFailureDiagnosis } from './describe-provider-failure.ts';
import type { OAuthProvider } from './connect-provider.ts';
import { fetchGitHubProfile } from './fetch-github-profile.ts';
import { flowSecrets, type FlowSecrets } from './flow-secrets.ts';
import { linkIdentity } from './link-identity.ts';
import type { OAuthDeps } from './oauth-deps.ts';
import { amrClaim, assertsVerified, type ProviderProfile } from './provider-profile.ts';
import { encryptProviderTokens } from './provider-tokens.ts';
import { signInWithIdentity } from './sign-in-with-identity.ts';
import { findProvider } from './start-flow.ts';

export interface FinishFlowInput {
  providerId: string;
  /** The callback URL as received: the redirect URI with the provider's query parameters. */
  callbackUrl: URL;
  /** The flow cookie, when the browser sent one. */
  cookieValue: string | undefined;
  /** The browser's current session: ended when a login replaces it; the user who links. */
  currentSession: SessionWithUser | null;
}

export type FinishedFlow =
  | (StartedSession & { purpose: 'login'; user: User; identity: OAuthIdentity; returnTo: string })
  /** The account has a second factor: a pending login, finished at /login/second-factor (docs/security.md SEC-101). */
  | { purpose: 'second_factor'; user: User; pendingToken: string; returnTo: string }
  | { purpose: 'link'; user: User; identity: OAuthIdentity; returnTo: string };

/** A failure that knows where the user was going, so the error page can offer to try again. */
export class OAuthFlowError extends AuthError {
  readonly returnTo: string | null;
  /** When the provider's answer failed a check: which one, for the server log and the dev-mode page. */
  readonly diagnosis: ProviderFailureDiagnosis | null;
  constructor(error: AuthError, returnTo: string | null, diagnosis: ProviderFailureDiagnosis | null = null) {
    super(error.code, { ...(error.detail === undefined ? {} : { detail: error.detail }), cause: error.cause ?? error });
    this.returnTo = returnTo;
    this.diagnosis = diagnosis;
  }
}

/** The provider's answer, verified by openid-client, reduced to who the user is. */
async function verifiedProfile(provider: OAuthProvider, input: FinishFlowInput, secrets: FlowSecrets): Promise<{ profile: ProviderProfile; tokens: client.TokenEndpointResponse }> {
  const oidc = provider.config.kind === 'oidc';
  // state (RFC 9700 4.7), the PKCE verifier (never sent anywhere but the token endpoint), and for
  // OpenID Connect the nonce and an ID token whose signature, iss, aud, exp and iat openid-client
  // checks; the authorization response's `iss` (RFC 9207) is checked when present, and required
  // when discovery says the provider sends it.
  const tokens = await client.authorizationCodeGrant(provider.client, input.callbackUrl, {
    pkceCodeVerifier: secrets.codeVerifier,
    expectedState: secrets.state,
    ...(oidc ? { expectedNonce: secrets.nonce, idTokenExpected: true } : {}),
  });
  if (!oidc) return { profile: await fetchGitHubProfile(provider, tokens.access_token), tokens };
  const claims = tokens.claims();
  if (claims === undefined) throw new AuthError('oauth_response_invalid', { detail: 'The provider sent no ID token.' });
  let email = typeof claims.email === 'string' ? claims.email : null;
  let verified = assertsVerified(claims.email_verified);
  // Some providers put the email only at the userinfo endpoint; its `sub` must match the ID token's.
  if (email === null && provider.client.serverMetadata().userinfo_endpoint !== undefined) {
    const info = await client.fetchUserInfo(provider.client, tokens.access_token, claims.sub);
    email = typeof info.email === 'string' ? info.email : null;
    verified = assertsVerified(info.email_verified);
  }
  return { profile: { issuer: claims.iss, subject: claims.sub, email, emailVerified: email !== null && verified, amr: amrClaim(claims.amr) }, tokens };
}

/**
 * The callback: takes the flow record (once: a replayed callback finds nothing), checks it is
 * this provider's and not expired, has openid-client verify the provider's answer, then logs
 * the user in (or links the identity to the signed-in user who started the flow).
 */
export async function finishFlow(deps: CoreDeps, oauth: OAuthDeps, input: FinishFlowInput, context: RequestContext): Promise<FinishedFlow> {
  const provider = findProvider(oauth, input.providerId);
  const fail = async (reason: string, error: AuthError, returnTo: string | null, diagnosis: ProviderFailureDiagnosis | null = null): Promise<never> => {
    deps.trace?.step({ kind: 'oauth', title: `Social login refused: ${error.code}`, outcome: 'refused', detail: { provider: provider.config.id, reason }, teach: diagnosis === null ? 'oauth-state' : 'oidc-id-token' });
    await deps.store.audit.append(auditEvent(deps, 'oauth.login_failed', context, { userId: input.currentSession?.user.id ?? null, detail: `${provider.config.id}: ${reason}` }));
    throw new OAuthFlowError(error, returnTo, diagnosis);
  };

  // The cookie value is 32 random bytes in base64url: anything else cannot be a flow of ours.
  if (input.cookieValue === undefined || !/^[A-Za-z0-9_-]{43}$/.test(input.cookieValue)) return fail('no_flow_cookie', new AuthError('oauth_flow_invalid'), null);
  const secrets = flowSecrets(oauth.flowKey, input.cookieValue);
  const flow = await deps.store.oauthFlows.take(secrets.idHash);
  if (flow === null) return fail('unknown_or_used_flow', new AuthError('oauth_flow_invalid'), null);
  if (flow.provider !== provider.config.id) return fail('flow_of_another_provider', new AuthError('oauth_flow_invalid'), null);
  if (flow.expiresAtMs <= deps.clock.nowMs()) return fail('flow_expired', new AuthError('oauth_flow_invalid', { detail: 'This login attempt expired; start again.' }), flow.returnTo);

  let verified: Awaited<ReturnType<typeof verifiedProfile>>;
  try {
    verified = await verifiedProfile(provider, input, secrets);
  } catch (error) {
    const classified = classifyProviderError(error);
    const diagnosis = describeProviderFailure(error, provider.config);
    const reason = `${classified.code} ${diagnosis.check}${diagnosis.claim === undefined ? '' : ` ${diagnosis.claim}`}: ${diagnosis.reason}`;
    return fail(reason.slice(0, 300), classified, flow.returnTo, diagnosis);
  }
  deps.trace?.step(providerAnswerStep(provider, input.callbackUrl, verified));
  const tokensJwe = oauth.providerTokenKeys === null ? null : await encryptProviderTokens(verified.tokens, deps.clock.nowMs(), oauth.providerTokenKeys);

  try {
    if (flow.purpose === 'link') {
      // The flow was started by a signed-in user; it completes only in that user's session.
      if (input.currentSession === null || input.currentSession.user.id !== flow.userId) throw new AuthError('oauth_flow_invalid', { detail: 'Log in again, then link the provider from your account page.' });
      const identity = await linkIdentity(deps, input.currentSession.user, { providerId: provider.config.id, providerName: provider.config.displayName, profile: verified.profile, tokensJwe }, context);
      return { purpose: 'link', user: input.currentSession.user, identity, returnTo: flow.returnTo };
    }
    // The provider's MFA counts only where the operator opted in, and only when the ID token says so.
    const providerMfa = provider.config.trustProviderMfa === true && verified.profile.amr.includes('mfa');
    const signedIn = await signInWithIdentity(
      deps,
      oauth,
      { providerId: provider.config.id, providerName: provider.config.displayName, profile: verified.profile, providerMfa, tokensJwe, ...(input.currentSession === null ? {} : { previousSession: input.currentSession }) },
      context,
    );
    if (signedIn.outcome === 'second_factor') return { purpose: 'second_factor', user: signedIn.user, pendingToken: signedIn.pendingToken, returnTo: flow.returnTo };
    return { purpose: 'login', session: signedIn.session, token: signedIn.token, user: signedIn.user, identity: signedIn.identity, returnTo: flow.returnTo };
  } catch (error) {
    if (error instanceof AuthError) throw new OAuthFlowError(error, flow.returnTo);
    throw error;
  }
}

/** The inspector's view of a verified callback: every check that passed, the ID token decoded, the code hashed. */
function providerAnswerStep(provider: OAuthProvider, callbackUrl: URL, verified: { profile: ProviderProfile; tokens: client.TokenEndpointResponse }): TraceStep {
  const code = callbackUrl.searchParams.get('code') ?? '';
  const oidc = provider.config.kind === 'oidc';
  const idToken = verified.tokens.id_token;
  return {
    kind: 'oauth',
    title: `${provider.config.displayName} answered; every check passed`,
    outcome: 'ok',
    detail: {
      code: `${hashReference(new Uint8Array(hash('sha256', code, 'buffer')))} (shown hashed; single use, exchanged once at the token endpoint)`,
      checks: [
        'state matches the one derived from this browser\'s flow cookie',
        'iss of the authorization response (RFC 9207), when the provider sends it',
        'PKCE: the code_verifier went to the token endpoint, which compared it with the challenge',
        ...(oidc ? ['ID token signature against the provider\'s JWKS', `ID token iss is ${provider.config.issuer}`, 'ID token aud is our client id', 'ID token exp and iat', 'ID token nonce matches this flow\'s'] : ['profile fetched with the access token (OAuth 2.0, no ID token)']),
      ],
      ...(idToken === undefined ? {} : { idTokenHeader: { ...decodeProtectedHeader(idToken) } as { [key: string]: TraceValue }, idTokenClaims: { ...decodeJwt(idToken) } as { [key: string]: TraceValue } }),
      identity: { issuer: verified.profile.issuer, subject: verified.profile.subject, email: verified.profile.email, emailVerified: verified.profile.emailVerified },
    },
    teach: oidc ? 'oidc-id-token' : 'oauth-state',
  };
}
