import proxyAddr from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';

/**
 * The URL a reverse proxy was asked for. The check needs only its origin and path (to pick the
 * rule); the whole URL is parsed when a refusal's login link needs it.
 */
export interface ForwardedTarget {
  /** `https://app.example.com`, as `new URL().origin` spells it. */
  readonly origin: string;
  /** The path as the WHATWG URL parser leaves it (dot segments resolved), without the query. */
  readonly pathname: string;
  /** The whole URL, without a fragment. */
  url(): URL;
}

/** Reads the URL a reverse proxy was asked for, or null when it cannot be believed. */
export type ForwardedUrlReader = (request: FastifyRequest) => ForwardedTarget | null;

// A host name, an IPv4 address or a bracketed IPv6 literal, with an optional port: nothing that
// the URL parser would read as a user name (`@`), a path (`/`) or a second authority.
const hostPattern = /^(?:\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::\d{1,5})?$/i;

/** The proxy closest to us appends last: of `a, b`, `b` is the one our trusted peer wrote. */
function lastEntry(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  if (joined === undefined) return undefined;
  const comma = joined.lastIndexOf(',');
  return (comma === -1 ? joined : joined.slice(comma + 1)).trim();
}

/**
 * The value of a header sent exactly once, from the raw list (`name, value, name, value...`).
 * Commas are legal in a path, so a repeated X-Forwarded-Uri cannot be split: it is refused.
 */
function singleHeader(rawHeaders: readonly string[], lowerCaseName: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    // The length first: most names differ in it, and lower-casing one makes a new string.
    if (name.length !== lowerCaseName.length || name.toLowerCase() !== lowerCaseName) continue;
    if (found !== undefined) return undefined;
    found = rawHeaders[i + 1];
  }
  return found;
}

// A path the WHATWG URL parser returns as it is: segments of characters it neither encodes nor
// reads specially, and none of them `.` or `..`. Anything else (a `%`, which may spell a dot, a
// dot segment, a character the parser would encode) goes through the parser (SEC-154).
const canonicalPath = /^(?:\/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)+$/;
const dotSegment = /\/\.\.?(?:\/|$)/;

/**
 * `compute`, remembered per key: the forward-auth check asks about the same few values (its
 * proxies' addresses, the hosts they front) on every request. Bounded, so a flood of other values
 * cannot grow it: past 1024 keys it starts again.
 */
function remembered<T extends {} | null>(compute: (key: string) => T): (key: string) => T {
  const known = new Map<string, T>();
  return (key) => {
    const hit = known.get(key);
    if (hit !== undefined) return hit;
    const value = compute(key);
    if (known.size >= 1024) known.clear();
    known.set(key, value);
    return value;
  };
}

/** The parsed URL, fragment dropped, or null when the parser refuses it. */
function parseUrl(href: string, hasFragment: boolean): URL | null {
  try {
    const url = new URL(href);
    // The setter re-serialises the whole URL: only when there is a fragment to drop.
    if (hasFragment) url.hash = '';
    return url;
  } catch {
    return null;
  }
}

/** A target from a parsed URL (the slow path: the getters are read once, here). */
function parsedTarget(url: URL): ForwardedTarget {
  return { origin: url.origin, pathname: url.pathname, url: () => url };
}

/**
 * Rebuilds the original URL from `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Uri`,
 * believed only when the TCP peer is one of the trusted proxies, with the same matching as
 * fastify's `trustProxy` (docs/security.md SEC-150). From anyone else the headers are ignored:
 * the reader answers null, so nobody can name the URL they want checked or redirected to.
 *
 * The check runs on every request behind the proxy, and a URL object costs ~4 us there (its
 * parse, getters and garbage): so the origin of each forwarded host is parsed once and kept (a
 * proxy fronts a handful of hosts; bounded, like the peers), and a path the parser would return
 * unchanged is taken as it is. Both agree with `new URL()` exactly (test/http/forwarded-url.test.ts
 * checks that on generated URLs); anything else is parsed as before.
 *
 * @example
 * const read = createForwardedUrlReader(['loopback']);
 * read(request)?.url().href // 'https://app.example.com/reports?q=1'
 */
export function createForwardedUrlReader(trustedProxies: readonly string[]): ForwardedUrlReader {
  if (trustedProxies.length === 0) return () => null;
  const matches = proxyAddr.compile([...trustedProxies]);
  // The peers are a handful of proxies: each verdict is remembered rather than the address parsed
  // on every check (it showed in the profile).
  const isTrusted = remembered((peer) => matches(peer, 0));
  // Per scheme, keyed by the host as sent (no key string to build on every check).
  const originOf = {
    http: remembered((host) => parseUrl(`http://${host}`, false)?.origin ?? null),
    https: remembered((host) => parseUrl(`https://${host}`, false)?.origin ?? null),
  };
  return (request) => {
    const peer = request.raw.socket.remoteAddress;
    if (peer === undefined || !isTrusted(peer)) return null;
    const proto = lastEntry(request.headers['x-forwarded-proto'])?.toLowerCase();
    const host = lastEntry(request.headers['x-forwarded-host']);
    const uri = singleHeader(request.raw.rawHeaders, 'x-forwarded-uri');
    if ((proto !== 'https' && proto !== 'http') || host === undefined || !hostPattern.test(host)) return null;
    if (uri === undefined || !uri.startsWith('/') || uri.startsWith('//') || uri.length > 4096 || /[\\\s\u0000-\u001f\u007f]/.test(uri)) return null;
    const query = uri.indexOf('?');
    const path = query === -1 ? uri : uri.slice(0, query);
    const hasFragment = uri.includes('#');
    if (hasFragment || !canonicalPath.test(path) || dotSegment.test(path)) {
      const url = parseUrl(`${proto}://${host}${uri}`, hasFragment);
      return url === null ? null : parsedTarget(url);
    }
    const origin = originOf[proto](host);
    if (origin === null) return null;
    let url: URL | undefined;
    // Cannot fail: the parser took this origin, and the path and query are ones it takes as they are.
    return { origin, pathname: path, url: () => (url ??= new URL(`${proto}://${host}${uri}`)) };
  };
}
