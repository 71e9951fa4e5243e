/** What each OpenID scope lets an app see or do, in plain words, for people rather than developers. */
const openIdScopes: Record<string, string> = {
  openid: 'Know that it is you (your Gatehouse account)',
  profile: 'See your name, profile picture and language',
  email: 'See your email address',
  offline_access: 'Stay connected while you are away (until you revoke it here)',
};

/**
 * The scopes as sentences, in a stable order: the OpenID ones first, then each API scope the app
 * may use, named as registered.
 *
 * @example
 * describeScopes(['email', 'openid', 'notes:read']) // ['Know that it is you ...', 'See your email address', 'Use notes:read in its API']
 */
export function describeScopes(scopes: readonly string[]): string[] {
  const known = Object.keys(openIdScopes).filter((scope) => scopes.includes(scope)).map((scope) => openIdScopes[scope] as string);
  const apis = scopes.filter((scope) => !(scope in openIdScopes)).sort().map((scope) => `Use ${scope} in its API`);
  return [...known, ...apis];
}
