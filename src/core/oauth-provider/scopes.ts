import type { Client } from '../ports.ts';
import { openIdScopes } from '../clients/client-oidc-policy.ts';

/** Plain words for the consent page: what each OpenID scope lets the app see or do. */
export const scopeDescriptions: Readonly<Record<string, string>> = Object.freeze({
  openid: 'Know who you are on Gatehouse (a stable user id)',
  profile: 'See your name, picture and language',
  email: 'See your email address and whether it is confirmed',
  offline_access: 'Stay signed in and act for you while you are away',
});

/**
 * What a scope lets the app do, in plain words, for the consent page and "Connected apps" on
 * /account alike; an API scope names the API (the client's audience) it is for.
 *
 * @example
 * describeScope('email', client.audience) // 'See your email address and whether it is confirmed'
 */
export function describeScope(scope: string, audience: string): string {
  return scopeDescriptions[scope] ?? `Use “${scope}” on ${audience}`;
}

/**
 * The scopes a request asks for that this client may have, in the order asked, without repeats:
 * `openid profile email offline_access`, plus the API scopes registered for the client. An
 * unknown scope is dropped rather than refused (RFC 6749 §3.3 lets the server grant fewer), so
 * an RP that asks for a scope Gatehouse does not know still logs its user in.
 */
export function allowedScopes(client: Pick<Client, 'scopes'>, requested: string): string[] {
  const allowed = new Set([...openIdScopes, ...client.scopes]);
  return [...new Set(requested.split(' ').filter((scope) => scope !== '' && allowed.has(scope)))];
}

/** Scopes in `wanted` that `granted` does not hold: what consent must still be asked for. */
export function missingScopes(wanted: readonly string[], granted: readonly string[]): string[] {
  return wanted.filter((scope) => !granted.includes(scope));
}
