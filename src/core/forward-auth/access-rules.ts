/**
 * Forward auth: which URLs behind the reverse proxy are protected, and what each one asks of a
 * session. Pure: the HTTP layer rebuilds the original URL and checks the session; this decides.
 */

/** What a protected path asks for. Roles are not modelled yet (docs/deployment.md says so). */
export type AccessRequirement = 'session' | 'second-factor';

export interface AccessRule {
  /** `https://app.example.com`: a bare origin, as `new URL().origin` spells it. */
  origin: string;
  /** `/` or `/admin`: matches the path itself and everything below it, never `/administrator`. */
  pathPrefix: string;
  requirement: AccessRequirement;
}

function pathIsUnder(pathname: string, prefix: string): boolean {
  if (prefix === '/' || pathname === prefix) return true;
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return pathname.startsWith(base);
}

/**
 * The rule for a URL: the one on its origin with the longest matching path prefix, or null when
 * no rule covers it (the check then refuses: deny by default, docs/security.md SEC-153). The URL
 * comes from `new URL()`, so `/public/../admin` and `/public/%2e%2e/admin` are already `/admin`
 * (docs/security.md SEC-154).
 *
 * @example
 * matchAccessRule(rules, new URL('https://app.example.com/admin/users'))
 */
export function matchAccessRule(rules: readonly AccessRule[], url: URL): AccessRule | null {
  let best: AccessRule | null = null;
  for (const rule of rules) {
    if (rule.origin !== url.origin || !pathIsUnder(url.pathname, rule.pathPrefix)) continue;
    if (best === null || rule.pathPrefix.length > best.pathPrefix.length) best = rule;
  }
  return best;
}
