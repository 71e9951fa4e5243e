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

/**
 * The rule for a URL: the one on its origin with the longest matching path prefix, or null when
 * no rule covers it (the check then refuses: deny by default, docs/security.md SEC-153). The URL
 * comes from `new URL()`, so `/public/../admin` and `/public/%2e%2e/admin` are already `/admin`
 * (docs/security.md SEC-154). A prefix matches the path itself and whole segments below it.
 *
 * @example
 * matchAccessRule(rules, new URL('https://app.example.com/admin/users'))
 */
export function matchAccessRule(rules: readonly AccessRule[], url: URL): AccessRule | null {
  return compileAccessRules(rules)(url);
}

/**
 * `matchAccessRule` prepared once for a fixed list: longest prefixes first, each with its
 * `prefix/` form built ahead, since the check runs on every request behind the proxy.
 */
export function compileAccessRules(rules: readonly AccessRule[]): (url: URL) => AccessRule | null {
  const ordered = [...rules]
    .sort((a, b) => b.pathPrefix.length - a.pathPrefix.length)
    .map((rule) => ({ rule, below: rule.pathPrefix.endsWith('/') ? rule.pathPrefix : `${rule.pathPrefix}/` }));
  return (url) => {
    // URL getters build a new string on every call: read each once.
    const { origin, pathname } = url;
    for (const { rule, below } of ordered) {
      if (rule.origin !== origin) continue;
      if (rule.pathPrefix === '/' || pathname === rule.pathPrefix || pathname.startsWith(below)) return rule;
    }
    return null;
  };
}
