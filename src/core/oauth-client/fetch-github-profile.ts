import * as client from 'openid-client';
import { AuthError } from '../errors.ts';
import type { OAuthProvider } from './connect-provider.ts';
import type { ProviderProfile } from './provider-profile.ts';

interface GitHubUser {
  id?: unknown;
}

interface GitHubEmail {
  email?: unknown;
  primary?: unknown;
  verified?: unknown;
}

async function getJson(provider: OAuthProvider, accessToken: string, url: string): Promise<unknown> {
  const headers = new Headers({ accept: 'application/vnd.github+json', 'user-agent': 'Gatehouse', 'x-github-api-version': '2022-11-28' });
  const response = await client.fetchProtectedResource(provider.client, accessToken, new URL(url), 'GET', null, headers);
  if (!response.ok) throw new AuthError('oauth_provider_unavailable', { detail: `GitHub answered ${response.status} at ${new URL(url).pathname}.` });
  return response.json();
}

/**
 * GitHub is plain OAuth 2.0, not OpenID Connect: no ID token, so the user comes from its user
 * API (the numeric `id` is the stable subject; logins can be renamed) and the email from its
 * emails API: only the primary address, and only when GitHub marks it verified.
 */
export async function fetchGitHubProfile(provider: OAuthProvider, accessToken: string): Promise<ProviderProfile> {
  const endpoints = provider.github;
  if (endpoints === null) throw new Error(`${provider.config.id} is not a GitHub provider`);
  const user = (await getJson(provider, accessToken, endpoints.user)) as GitHubUser | null;
  const id = user?.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new AuthError('oauth_response_invalid', { detail: 'GitHub returned no user id.' });
  const emails = await getJson(provider, accessToken, endpoints.emails);
  const primary = Array.isArray(emails) ? (emails as GitHubEmail[]).find((e) => e.primary === true && e.verified === true && typeof e.email === 'string') : undefined;
  return { issuer: provider.config.issuer, subject: String(id), email: (primary?.email as string | undefined) ?? null, emailVerified: primary !== undefined, amr: [] };
}
