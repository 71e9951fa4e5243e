import { openIdScopes } from '../clients/client-oidc-policy.ts';
import { describeScope } from '../oauth-provider/scopes.ts';

/**
 * The scopes as sentences, in the words of the consent page (oauth-provider/scopes.ts), in a
 * stable order: the OpenID ones first, then each API scope.
 *
 * @example
 * describeScopes(['email', 'openid', 'notes:read'], 'https://notes.example') // ['Know who you are ...', 'See your email address ...', 'Use “notes:read” on https://notes.example']
 */
export function describeScopes(scopes: readonly string[], audience: string): string[] {
  const known = openIdScopes.filter((scope) => scopes.includes(scope));
  const apis = scopes.filter((scope) => !(openIdScopes as readonly string[]).includes(scope)).sort();
  return [...known, ...apis].map((scope) => describeScope(scope, audience));
}
