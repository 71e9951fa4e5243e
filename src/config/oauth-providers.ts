import { readFileSync } from 'node:fs';
import { clientAuthMethods, githubPreset, googlePreset, isLoopbackUrl, providerIdPattern, type ClientAuthMethod, type OAuthProviderConfig } from '../core/oauth-client/provider-config.ts';

/** The oauth.* settings as read, before they become provider configurations. */
export interface OAuthSettings {
  google: string;
  github: string;
  oidc: readonly string[];
}

/** `client_id:client_secret`: the id is everything before the first colon (ids have none; secrets may). */
function credentials(value: string, where: string, problems: string[]): { clientId: string; clientSecret: string } | null {
  const colon = value.indexOf(':');
  const clientId = colon < 0 ? '' : value.slice(0, colon).trim();
  const clientSecret = colon < 0 ? '' : value.slice(colon + 1).trim();
  if (clientId === '' || clientSecret === '') {
    problems.push(`${where}: expected client_id:client_secret`);
    return null;
  }
  return { clientId, clientSecret };
}

const oidcOptions = new Set(['name', 'scope', 'auth', 'key', 'trust_provider_mfa']);

/** `key=/path`: the client's private key for private_key_jwt, read once at start-up. */
function readPrivateKey(path: string, where: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${where}: the private key file ${path.slice(0, 200)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

/**
 * One generic OpenID Connect provider per entry:
 * `ID ISSUER CLIENT_ID[:CLIENT_SECRET] [name=Display+Name] [scope=openid+email+profile] [auth=METHOD] [key=/path/to/key] [trust_provider_mfa=true]`
 * (options are URL-encoded, `+` for a space). `auth` forces the token-endpoint authentication
 * (otherwise chosen from the provider's metadata); `key` is the private key for `private_key_jwt`.
 * Without a secret the client authenticates with its key, or is a public client (`auth=none`, PKCE).
 * `trust_provider_mfa=true` lets an ID token whose `amr` says `mfa` stand in for the second factor.
 */
function parseOidcEntry(entry: string, index: number, problems: string[], issuers: IssuerPolicy): OAuthProviderConfig | null {
  const where = `oauth.oidc[${index}] (GATEHOUSE_OAUTH_OIDC)`;
  const [id = '', issuer = '', pair = '', ...rest] = entry.trim().split(/\s+/);
  if (!providerIdPattern.test(id)) {
    problems.push(`${where}: expected "ID ISSUER CLIENT_ID:CLIENT_SECRET [name=...] [scope=...]" with an id of lowercase letters, digits, - or _ (got "${id.slice(0, 40)}")`);
    return null;
  }
  const options = new URLSearchParams(rest.join('&'));
  for (const key of options.keys()) if (!oidcOptions.has(key)) problems.push(`${where} ${id}: unknown option "${key.slice(0, 40)}" (${[...oidcOptions].join(', ')} are known)`);
  const auth = options.get('auth');
  if (auth !== null && !(clientAuthMethods as readonly string[]).includes(auth)) problems.push(`${where} ${id}: auth must be one of ${clientAuthMethods.join(', ')} (got "${auth.slice(0, 40)}")`);
  const trust = options.get('trust_provider_mfa');
  if (trust !== null && trust !== 'true' && trust !== 'false') problems.push(`${where} ${id}: trust_provider_mfa must be true or false`);
  const keyPath = options.get('key');
  const privateKey = keyPath === null ? undefined : readPrivateKey(keyPath, `${where} ${id}`, problems);
  // A secret is needed unless the client authenticates with a key or is public.
  const secretless = keyPath !== null || auth === 'none';
  let creds: { clientId: string; clientSecret: string } | null;
  if (secretless && !pair.includes(':')) {
    creds = pair === '' ? null : { clientId: pair, clientSecret: '' };
    if (creds === null) problems.push(`${where} ${id}: expected CLIENT_ID`);
  } else {
    creds = credentials(pair, `${where} ${id}`, problems);
  }
  const scopes = (options.get('scope') ?? 'openid email profile').split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) problems.push(`${where} ${id}: scope must include openid`);
  if (!checkIssuer(issuer, `${where} ${id}`, problems, issuers) || creds === null) return null;
  return {
    id,
    kind: 'oidc',
    displayName: options.get('name') ?? id,
    issuer,
    ...creds,
    scopes,
    ...(auth === null ? {} : { clientAuthMethod: auth as ClientAuthMethod }),
    ...(privateKey === undefined ? {} : { privateKey }),
    ...(trust === 'true' ? { trustProviderMfa: true } : {}),
  };
}

/**
 * Which issuer URLs are accepted: https only, or (in dev mode only: the demo IdP, local tests)
 * plain http on a loopback address as well.
 */
export type IssuerPolicy = 'https-only' | 'https-or-loopback-http';

/** https only; plain http only on a loopback address in dev mode (the demo IdP, local tests). */
function checkIssuer(issuer: string, where: string, problems: string[], issuers: IssuerPolicy): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    problems.push(`${where}: the issuer is not a URL: ${issuer.slice(0, 200)}`);
    return false;
  }
  const plainAllowed = issuers === 'https-or-loopback-http' && url.protocol === 'http:' && isLoopbackUrl(url);
  if (url.protocol !== 'https:' && !plainAllowed) {
    problems.push(`${where}: the issuer must be https:// (http:// only for localhost in dev mode): ${issuer.slice(0, 200)}`);
    return false;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    problems.push(`${where}: an issuer has no query, fragment or credentials: ${url.origin}${url.pathname}`);
    return false;
  }
  return true;
}

/**
 * The configured providers: the Google and GitHub presets (one `client_id:client_secret` each)
 * and any OpenID Connect providers. Every problem is added to `problems`, so start-up lists them all.
 *
 * @example
 * parseOAuthProviders({ google: 'id.apps.googleusercontent.com:secret', github: '', oidc: [] }, [], 'https-only')
 */
export function parseOAuthProviders(settings: OAuthSettings, problems: string[], issuers: IssuerPolicy): OAuthProviderConfig[] {
  const providers: OAuthProviderConfig[] = [];
  if (settings.google !== '') {
    const creds = credentials(settings.google, 'oauth.google (GATEHOUSE_OAUTH_GOOGLE)', problems);
    if (creds !== null) providers.push({ ...googlePreset, ...creds });
  }
  if (settings.github !== '') {
    const creds = credentials(settings.github, 'oauth.github (GATEHOUSE_OAUTH_GITHUB)', problems);
    if (creds !== null) providers.push({ ...githubPreset, ...creds });
  }
  settings.oidc.forEach((entry, index) => {
    const provider = parseOidcEntry(entry, index, problems, issuers);
    if (provider === null) return;
    if (providers.some((p) => p.id === provider.id)) problems.push(`oauth.oidc[${index}] (GATEHOUSE_OAUTH_OIDC): the provider id "${provider.id}" is used twice`);
    else providers.push(provider);
  });
  return providers;
}
