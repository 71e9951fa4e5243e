import * as client from 'openid-client';
import { createClient, type NewClient } from '../../src/core/clients/create-client.ts';
import { testPassword } from './core-deps.ts';
import type { TestServer } from './start-server.ts';

/** Plain http on loopback, for the tests only. */
export const insecure = { execute: [client.allowInsecureRequests] };

/** A relying party registered on the server and configured by openid-client's discovery. */
export async function registerRelyingParty(server: TestServer, input: Omit<NewClient, 'type' | 'grantTypes'> & { id: string }): Promise<{ config: client.Configuration; secret: string }> {
  const { secret } = await createClient(server.gatehouse.deps, { type: 'confidential', grantTypes: ['authorization_code'], ...input });
  const config = await client.discovery(new URL(server.url), input.id, secret!, client.ClientSecretBasic(secret!), insecure);
  return { config, secret: secret! };
}

/** Signs up (or logs in) `email` through the API: the browser's Gatehouse session cookie header. */
export async function gatehouseSession(server: TestServer, email: string): Promise<string> {
  const headers = { 'content-type': 'application/json', origin: server.url, 'sec-fetch-site': 'same-origin' };
  await fetch(`${server.url}/v1/users`, { method: 'POST', headers, body: JSON.stringify({ email, password: testPassword }) });
  const login = await fetch(`${server.url}/v1/session`, { method: 'POST', headers, body: JSON.stringify({ email, password: testPassword }) });
  const cookie = login.headers.getSetCookie().find((c) => c.startsWith('__Host-gatehouse_session='));
  if (login.status !== 200 || cookie === undefined) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  return cookie.split(';')[0]!;
}

/** A browser request to the server carrying the Gatehouse cookie, not following redirects. */
export function browserGet(url: URL | string, cookie: string): Promise<Response> {
  return fetch(url, { headers: { cookie, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }, redirect: 'manual' });
}

/**
 * The code flow as a browser with a Gatehouse session runs it for `config`: the authorization
 * request (PKCE, state, nonce) answered at once by single sign-on (the client skips consent),
 * then openid-client's code exchange and ID token checks. `extra` adds request parameters.
 */
export async function codeFlow(config: client.Configuration, redirectUri: string, cookie: string, extra: Record<string, string> = {}): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid email profile', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce, ...extra });
  const answer = await browserGet(url, cookie);
  const location = answer.headers.get('location');
  if (location === null || !location.startsWith(redirectUri)) throw new Error(`no redirect to the app: ${answer.status} ${location ?? (await answer.text()).slice(0, 300)}`);
  return client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
}

/** The authorization response of a `prompt=none` request: after a logout it must be `login_required`. */
export async function promptNoneError(config: client.Configuration, redirectUri: string, cookie: string): Promise<string | null> {
  const url = client.buildAuthorizationUrl(config, { redirect_uri: redirectUri, scope: 'openid', prompt: 'none', state: client.randomState(), nonce: client.randomNonce(), code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
  const location = (await browserGet(url, cookie)).headers.get('location');
  return location === null ? null : new URL(location).searchParams.get('error');
}
