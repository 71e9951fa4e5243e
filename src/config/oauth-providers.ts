import { githubPreset, googlePreset, isLoopbackUrl, providerIdPattern, type OAuthProviderConfig } from '../core/oauth-client/provider-config.ts';

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

/**
 * One generic OpenID Connect provider per entry:
 * `ID ISSUER CLIENT_ID:CLIENT_SECRET [name=Display+Name] [scope=openid+email+profile] [trust_provider_mfa=true]`
 * (options are URL-encoded, `+` for a space).
 */
function parseOidcEntry(entry: string, index: number, problems: string[], dev: boolean): OAuthProviderConfig | null {
  const where = `oauth.oidc[${index}] (GATEHOUSE_OAUTH_OIDC)`;
  const [id = '', issuer = '', pair = '', ...rest] = entry.trim().split(/\s+/);
  if (!providerIdPattern.test(id)) {
    problems.push(`${where}: expected "ID ISSUER CLIENT_ID:CLIENT_SECRET [name=...] [scope=...]" with an id of lowercase letters, digits, - or _ (got "${id.slice(0, 40)}")`);
    return null;
  }
  const creds = credentials(pair, `${where} ${id}`, problems);
  const options = new URLSearchParams(rest.join('&'));
  for (const key of options.keys()) if (!['name', 'scope', 'trust_provider_mfa'].includes(key)) problems.push(`${where} ${id}: unknown option "${key.slice(0, 40)}" (name, scope and trust_provider_mfa are known)`);
  const trust = options.get('trust_provider_mfa');
  if (trust !== null && trust !== 'true' && trust !== 'false') problems.push(`${where} ${id}: trust_provider_mfa must be true or false`);
  const scopes = (options.get('scope') ?? 'openid email profile').split(/\s+/).filter(Boolean);
  if (!scopes.includes('openid')) problems.push(`${where} ${id}: scope must include openid`);
  if (!checkIssuer(issuer, `${where} ${id}`, problems, dev) || creds === null) return null;
  return { id, kind: 'oidc', displayName: options.get('name') ?? id, issuer, ...creds, scopes, ...(trust === 'true' ? { trustProviderMfa: true } : {}) };
}

/** https only; plain http only on a loopback address in dev mode (the demo IdP, local tests). */
function checkIssuer(issuer: string, where: string, problems: string[], dev: boolean): boolean {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    problems.push(`${where}: the issuer is not a URL: ${issuer.slice(0, 200)}`);
    return false;
  }
  const plainAllowed = dev && url.protocol === 'http:' && isLoopbackUrl(url);
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
 * parseOAuthProviders({ google: 'id.apps.googleusercontent.com:secret', github: '', oidc: [] }, [], false)
 */
export function parseOAuthProviders(settings: OAuthSettings, problems: string[], dev: boolean): OAuthProviderConfig[] {
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
    const provider = parseOidcEntry(entry, index, problems, dev);
    if (provider === null) return;
    if (providers.some((p) => p.id === provider.id)) problems.push(`oauth.oidc[${index}] (GATEHOUSE_OAUTH_OIDC): the provider id "${provider.id}" is used twice`);
    else providers.push(provider);
  });
  return providers;
}
