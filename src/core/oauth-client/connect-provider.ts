import * as client from 'openid-client';
import { chooseClientAuthMethod, clientAuthFor } from './client-auth.ts';
import { githubEndpoints, isLoopbackUrl, type ClientAuthMethod, type GitHubEndpoints, type OAuthProviderConfig } from './provider-config.ts';
import { ProviderSetupError } from './provider-setup-error.ts';

/** A provider ready to use: its configuration, and openid-client's view of it (endpoints, keys). */
export interface OAuthProvider {
  config: OAuthProviderConfig;
  client: client.Configuration;
  /** GitHub only: where the user and emails APIs are. */
  github: GitHubEndpoints | null;
  /** How Gatehouse authenticates at the provider's token endpoint (printed at start-up). */
  clientAuthMethod: ClientAuthMethod;
}

export interface ConnectOptions {
  /**
   * `allow-loopback`: an http:// issuer on localhost/127.0.0.1/[::1] is accepted (dev mode and
   * tests, for the demo IdP and stand-ins). `https-only`: every endpoint must be https (production).
   */
  plainHttp: 'allow-loopback' | 'https-only';
  /** Outbound requests to the provider give up after this long. */
  timeoutSeconds?: number;
  /** GitHub's endpoints; tests point them at a stand-in. */
  githubEndpoints?: GitHubEndpoints;
  /** Replaces fetch for every request to the provider (tests tamper with responses through it). */
  fetch?: client.CustomFetch;
}

export { ProviderSetupError };

function checkUrl(providerId: string, what: string, value: string, options: ConnectOptions): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ProviderSetupError(providerId, `${what} is not a URL: ${value}`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && options.plainHttp === 'allow-loopback' && isLoopbackUrl(url)) return url;
  throw new ProviderSetupError(
    providerId,
    `${what} must be https:// (plain http is accepted only for a loopback address in dev mode): ${value}`,
  );
}

function applyOptions(configuration: client.Configuration, options: ConnectOptions, insecure: boolean): void {
  configuration.timeout = options.timeoutSeconds ?? 5;
  if (options.fetch !== undefined) configuration[client.customFetch] = options.fetch;
  // Only reached for loopback http endpoints in dev mode or tests (checkUrl refuses the rest).
  if (insecure) client.allowInsecureRequests(configuration);
}

/**
 * Connects to a provider at start-up: OpenID Connect discovery (openid-client checks that the
 * document's `issuer` is exactly the configured one: RFC 9207, RFC 9700 4.4), or GitHub's fixed
 * endpoints. Any problem throws ProviderSetupError naming the provider, so a misconfigured
 * provider stops start-up instead of failing at the first login.
 *
 * @example
 * const google = await connectProvider({ ...googlePreset, clientId, clientSecret }, { plainHttp: 'https-only' });
 */
export async function connectProvider(config: OAuthProviderConfig, options: ConnectOptions): Promise<OAuthProvider> {
  if (config.kind === 'github') {
    const endpoints = options.githubEndpoints ?? githubEndpoints;
    const urls = Object.entries(endpoints).map(([name, value]) => checkUrl(config.id, `the GitHub ${name} endpoint`, value, options));
    const configuration = new client.Configuration(
      { issuer: config.issuer, authorization_endpoint: endpoints.authorization, token_endpoint: endpoints.token },
      config.clientId,
      // GitHub reads the client credentials from the body.
      { client_secret: config.clientSecret },
      client.ClientSecretPost(config.clientSecret),
    );
    applyOptions(configuration, options, urls.some((u) => u.protocol === 'http:'));
    return { config, client: configuration, github: endpoints, clientAuthMethod: 'client_secret_post' };
  }
  const issuer = checkUrl(config.id, 'the issuer', config.issuer, options);
  const insecure = issuer.protocol === 'http:';
  let discovered: client.Configuration;
  try {
    // The client authentication is chosen from the discovered metadata, below.
    discovered = await client.discovery(issuer, config.clientId, undefined, client.None(), {
      timeout: options.timeoutSeconds ?? 5,
      ...(options.fetch === undefined ? {} : { [client.customFetch]: options.fetch }),
      ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProviderSetupError(config.id, `OpenID Connect discovery at ${config.issuer} failed: ${reason}`, { cause: error });
  }
  const metadata = discovered.serverMetadata();
  for (const [name, value] of [['authorization_endpoint', metadata.authorization_endpoint], ['token_endpoint', metadata.token_endpoint], ['jwks_uri', metadata.jwks_uri]] as const) {
    if (value === undefined) throw new ProviderSetupError(config.id, `the discovery document has no ${name}`);
    checkUrl(config.id, name, value, options);
  }
  if (metadata.code_challenge_methods_supported !== undefined && !metadata.code_challenge_methods_supported.includes('S256')) {
    throw new ProviderSetupError(config.id, 'the provider does not support PKCE with S256');
  }
  const clientAuthMethod = chooseClientAuthMethod(config, metadata.token_endpoint_auth_methods_supported);
  const configuration = new client.Configuration(
    metadata,
    config.clientId,
    config.clientSecret === '' ? {} : { client_secret: config.clientSecret },
    await clientAuthFor(config, clientAuthMethod),
  );
  applyOptions(configuration, options, insecure);
  // OIDC lets a client skip the ID token signature when the token came straight from the token
  // endpoint over TLS; we check it anyway against the provider's JWKS (docs/security.md SEC-37), so a
  // tampered or forged ID token is refused even if the transport was not what it seemed.
  client.enableNonRepudiationChecks(configuration);
  return { config, client: configuration, github: null, clientAuthMethod };
}
