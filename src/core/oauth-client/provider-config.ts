/**
 * What an operator configures for one social-login provider. Presets (Google, GitHub) fill in
 * everything but the client id and secret; any other OpenID Connect provider is its issuer.
 */
export interface OAuthProviderConfig {
  /** URL-safe id, used in paths: `/v1/oauth/{id}/start`. */
  id: string;
  /** `oidc`: OpenID Connect with discovery. `github`: GitHub's plain OAuth 2.0 plus its REST API. */
  kind: 'oidc' | 'github';
  /** Shown on the "Continue with …" button. */
  displayName: string;
  /** The issuer identifier (OIDC), or GitHub's `https://github.com`. */
  issuer: string;
  clientId: string;
  /** '' when the client has no secret: it authenticates with a private key, or is a public client (`none`, PKCE). */
  clientSecret: string;
  scopes: readonly string[];
  /**
   * Operator opt-in (`trust_provider_mfa=true`): a login whose ID token says `amr` includes `mfa`
   * counts as multi-factor, so an account with a second factor needs no second step after it.
   * Off by default: the provider's own MFA is not Gatehouse's to vouch for (docs/security.md SEC-101).
   */
  trustProviderMfa?: boolean;
  /**
   * How Gatehouse authenticates at the provider's token endpoint. Absent: chosen from the
   * provider's `token_endpoint_auth_methods_supported` and the credentials configured
   * (see client-auth.ts).
   */
  clientAuthMethod?: ClientAuthMethod;
  /** For `private_key_jwt`: the client's private key, a PKCS#8 PEM or a private JWK (JSON). */
  privateKey?: string;
}

/** The token-endpoint client authentication methods Gatehouse can use (through openid-client's helpers). */
export const clientAuthMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const;
export type ClientAuthMethod = (typeof clientAuthMethods)[number];

export const providerIdPattern = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export const googlePreset = { id: 'google', kind: 'oidc', displayName: 'Google', issuer: 'https://accounts.google.com', scopes: ['openid', 'email', 'profile'] } as const;

export const githubPreset = { id: 'github', kind: 'github', displayName: 'GitHub', issuer: 'https://github.com', scopes: ['read:user', 'user:email'] } as const;

/** GitHub's documented endpoints; tests point them at a local stand-in. */
export interface GitHubEndpoints {
  authorization: string;
  token: string;
  user: string;
  emails: string;
}

export const githubEndpoints: GitHubEndpoints = Object.freeze({
  authorization: 'https://github.com/login/oauth/authorize',
  token: 'https://github.com/login/oauth/access_token',
  user: 'https://api.github.com/user',
  emails: 'https://api.github.com/user/emails',
});

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for http(s) URLs on this machine only. */
export function isLoopbackUrl(url: URL): boolean {
  return loopbackHosts.has(url.hostname);
}
