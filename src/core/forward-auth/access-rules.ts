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
export function matchAccessRule(rules: readonly AccessRule[], url: UrlParts): AccessRule | null {
  return compileAccessRules(rules)(url);
}

/** What a rule looks at: a URL's origin and its path, normalised as `new URL()` does (a URL will do). */
export interface UrlParts {
  readonly origin: string;
  readonly pathname: string;
}

/** A URL no rule covers (null) is refused, so it is stricter than any rule. */
const strictness: Record<AccessRequirement, number> = { session: 0, 'second-factor': 1 };

// A path the app behind the proxy may read otherwise than the URL parser: a percent-encoding, a
// `;parameter`, a backslash, an empty segment or a capital letter. Anything else is taken as is.
const ambiguous = /[%;\\A-Z]|\/\//;

/**
 * The path as a lenient app may route it (docs/security.md SEC-163): percent-encoded ASCII decoded
 * once (`%61dmin`, `admin%2Fx`: Go, Python and static servers decode before they route), `;...`
 * path parameters dropped (Tomcat, Spring, Jetty route `/admin;x` as `/admin`), a backslash read
 * as a slash, empty segments collapsed (nginx merges `//`), dot segments resolved again, and the
 * case folded (Express routes case-insensitively by default).
 */
export function lenientPath(pathname: string): string {
  const decoded = pathname.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const segments: string[] = [];
  for (const part of decoded.replace(/\\/g, '/').split('/')) {
    const semicolon = part.indexOf(';');
    const segment = semicolon === -1 ? part : part.slice(0, semicolon);
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`.toLowerCase();
}

type Prepared = { rule: AccessRule; prefix: string; below: string };

function prepare(rules: readonly AccessRule[], spell: (path: string) => string): Prepared[] {
  return [...rules]
    .map((rule) => ({ rule, prefix: spell(rule.pathPrefix) }))
    .sort((a, b) => b.prefix.length - a.prefix.length)
    .map(({ rule, prefix }) => ({ rule, prefix, below: prefix.endsWith('/') ? prefix : `${prefix}/` }));
}

function longestMatch(ordered: readonly Prepared[], origin: string, pathname: string): AccessRule | null {
  for (const { rule, prefix, below } of ordered) {
    if (rule.origin !== origin) continue;
    if (prefix === '/' || pathname === prefix || pathname.startsWith(below)) return rule;
  }
  return null;
}

/**
 * `matchAccessRule` prepared once for a fixed list: longest prefixes first, each with its
 * `prefix/` form built ahead, since the check runs on every request behind the proxy.
 *
 * A path that an app could route otherwise (ambiguous above) is matched twice, as written and as
 * a lenient app reads it (lenientPath), and the stricter answer wins: `/%61dmin`, `/ADMIN`,
 * `/admin;x` and `/public/..%2Fadmin` cannot step out of the `/admin` rule, and a path that
 * leaves every rule either way is refused (docs/security.md SEC-163).
 */
export function compileAccessRules(rules: readonly AccessRule[]): (url: UrlParts) => AccessRule | null {
  const ordered = prepare(rules, (path) => path);
  const folded = prepare(rules, lenientPath);
  // A rule written with a capital or an encoding: every path is read both ways.
  const always = rules.some((rule) => ambiguous.test(rule.pathPrefix));
  return (url) => {
    // A URL's getters build a new string on every call: read each once.
    const { origin, pathname } = url;
    const rule = longestMatch(ordered, origin, pathname);
    if (rule === null || (!always && !ambiguous.test(pathname))) return rule;
    const lenient = longestMatch(folded, origin, lenientPath(pathname));
    if (lenient === null) return null;
    return strictness[lenient.requirement] > strictness[rule.requirement] ? lenient : rule;
  };
}
