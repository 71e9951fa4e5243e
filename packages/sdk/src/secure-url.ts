const loopbackHosts = new Set(['localhost', '[::1]']);

function isLoopback(url: URL): boolean {
  return loopbackHosts.has(url.hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(url.hostname);
}

/**
 * @internal The URL in `value` if it is safe to fetch keys or revocations from, with the problems
 * otherwise. A JWKS or a revocation feed over plain http could be swapped or silenced in transit
 * (and the feed's client credentials read): https only, but for loopback.
 */
export function secureUrlProblems(value: unknown, option: string): [URL | undefined, string[]] {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return [undefined, [`${option} must be an absolute URL`]];
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url))) return [url, []];
  return [undefined, [`${option} must use https (http only on a loopback host)`]];
}
