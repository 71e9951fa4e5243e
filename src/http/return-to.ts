/**
 * Where to send the browser after login (docs/security.md SEC-19, SEC-103). Accepts a same-origin path, or an
 * absolute URL on an allowlisted origin; anything else (`//evil.example`, `https://evil.example`,
 * `javascript:...`, backslash tricks, control characters) falls back to `/account`.
 *
 * @example
 * safeReturnTo('/account?tab=sessions', 'https://auth.example.com', []) // '/account?tab=sessions'
 * safeReturnTo('//evil.example', 'https://auth.example.com', [])        // '/account'
 */
export function safeReturnTo(value: string | undefined, publicOrigin: string, allowedOrigins: readonly string[]): string {
  const fallback = '/account';
  if (value === undefined || value === '' || value.length > 2048) return fallback;
  // Browsers treat `\` like `/` and drop tabs/newlines inside URLs: refuse them outright.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, publicOrigin);
  } catch {
    return fallback;
  }
  if (url.origin === publicOrigin && value.startsWith('/')) {
    // What is returned is the path after URL normalisation, so that is what is checked: dot
    // segments (`/..//evil.example`, `/%2e%2e//evil.example`, `/a/..//evil.example`) normalise
    // to `//evil.example`, which a browser reads as another host (docs/security.md SEC-103).
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith('//') ? fallback : path;
  }
  if ((url.protocol === 'https:' || url.protocol === 'http:') && allowedOrigins.includes(url.origin) && /^https?:\/\//i.test(value)) {
    return url.href;
  }
  return fallback;
}
