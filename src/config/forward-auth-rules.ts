import type { AccessRule } from '../core/forward-auth/access-rules.ts';

/**
 * Parses one forward-auth rule as written in the configuration: `ORIGIN[/PATH] [session|second-factor]`,
 * e.g. `https://app.example.com/admin second-factor`. Returns the rule, or a problem to report.
 */
export function parseAccessRule(entry: string): AccessRule | string {
  const [target, requirement = 'session', extra] = entry.trim().split(/\s+/);
  if (target === undefined || target === '' || extra !== undefined) return `"${entry}": expected "ORIGIN[/PATH] [session|second-factor]"`;
  if (requirement !== 'session' && requirement !== 'second-factor') return `"${entry}": the requirement must be session or second-factor (roles do not exist yet)`;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `"${entry}": not a URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${entry}": must be an http(s) URL`;
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return `"${entry}": an origin and a path only (no query, fragment or user)`;
  const pathPrefix = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  // Written as the URL parser normalizes it, so what is configured is exactly what is compared.
  const normalized = `${url.origin}${pathPrefix === '/' ? '' : pathPrefix}`;
  if (normalized !== target.replace(/\/+$/, '')) return `"${entry}": write it normalized, as ${normalized}`;
  return { origin: url.origin, pathPrefix, requirement };
}

/**
 * Every rule, or the problems. A protected origin must also be the public origin or one of
 * `allowedReturnOrigins`: otherwise the login could never send the browser back to it.
 */
export function parseAccessRules(entries: readonly string[], publicUrl: string | undefined, allowedReturnOrigins: readonly string[], problems: string[]): AccessRule[] {
  const rules: AccessRule[] = [];
  for (const entry of entries) {
    const parsed = parseAccessRule(entry);
    if (typeof parsed === 'string') {
      problems.push(`forwardAuth.rules: ${parsed}`);
      continue;
    }
    if (parsed.origin !== publicUrl && !allowedReturnOrigins.includes(parsed.origin)) {
      problems.push(`forwardAuth.rules: ${parsed.origin} must also be listed in allowedReturnOrigins (GATEHOUSE_ALLOWED_RETURN_ORIGINS), or be the public URL`);
      continue;
    }
    if (rules.some((rule) => rule.origin === parsed.origin && rule.pathPrefix === parsed.pathPrefix)) {
      problems.push(`forwardAuth.rules: ${parsed.origin}${parsed.pathPrefix} is listed twice`);
      continue;
    }
    rules.push(parsed);
  }
  return rules;
}
