import { AuthError } from '../errors.ts';
import type { ClientType } from '../ports.ts';

export const maxUriLength = 2048;
export const maxRedirectUris = 20;

// C0/C1 controls, whitespace and line/paragraph separators: a URI never needs them, and they
// would forge lines in logs and CLI output.
const forbiddenCharacters = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

function invalid(detail: string): AuthError {
  return new AuthError('validation_failed', { detail });
}

/** Where a URI is registered, for messages. */
export type UriKind = 'redirect URI' | 'post-logout redirect URI' | 'back-channel logout URI' | 'JWKS URI';

/**
 * The checks every registered URI passes: absolute, parseable, no fragment (RFC 6749 §3.1.2),
 * no user name or password in it, no whitespace or control characters, at most 2048 characters.
 * Returns the parsed URL for the scheme rules that follow.
 */
function parseRegisteredUri(uri: string, kind: UriKind): URL {
  if (uri.length === 0 || uri.length > maxUriLength) throw invalid(`A ${kind} is 1 to ${maxUriLength} characters.`);
  if (forbiddenCharacters.test(uri)) throw invalid(`A ${kind} must not contain whitespace or control characters: ${JSON.stringify(uri)}.`);
  if (uri.includes('#')) throw invalid(`A ${kind} must not contain a fragment (#): ${uri}.`);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw invalid(`A ${kind} must be an absolute URI: ${uri}.`);
  }
  if (url.username !== '' || url.password !== '') throw invalid(`A ${kind} must not contain a user name or password: ${uri}.`);
  return url;
}

/** https anywhere; http only to this machine (RFC 8252 §7.3 loopback redirects, and local development). */
function isWebUri(url: URL): boolean {
  if (url.protocol === 'https:') return url.hostname !== '';
  return url.protocol === 'http:' && loopbackHosts.has(url.hostname);
}

/**
 * A redirect URI (or a post-logout redirect URI) as a client registers it. What the operator
 * types is stored verbatim and compared exactly at the authorization endpoint (no
 * normalization, no prefix or case folding).
 *
 * - `https://...` for any host; `http://` only for loopback hosts (localhost, 127.0.0.1, [::1]).
 * - A public client (a native app) may also register a private-use scheme in reverse domain
 *   form, `com.example.app:/callback` (RFC 8252 §7.1). The dot rule keeps out `javascript:`,
 *   `data:`, `file:` and every other scheme a browser gives meaning to. A confidential client
 *   is a server reached over the web, so it gets no such scheme.
 */
export function assertRedirectUri(uri: string, clientType: ClientType, kind: 'redirect URI' | 'post-logout redirect URI' = 'redirect URI'): void {
  const url = parseRegisteredUri(uri, kind);
  if (isWebUri(url)) return;
  if (url.protocol === 'http:') throw invalid(`A ${kind} over http must point at a loopback host (localhost, 127.0.0.1, [::1]); use https: ${uri}.`);
  const scheme = url.protocol.slice(0, -1);
  if (clientType === 'public' && scheme.includes('.')) return;
  throw invalid(
    clientType === 'public'
      ? `A ${kind} is https, http to a loopback host, or a private-use scheme in reverse domain form (com.example.app:/callback): ${uri}.`
      : `A ${kind} of a confidential client is https, or http to a loopback host: ${uri}.`,
  );
}

/** A URI Gatehouse itself calls or fetches (back-channel logout, a client's JWKS): https, or http to a loopback host. */
export function assertServerUri(uri: string, kind: 'back-channel logout URI' | 'JWKS URI'): void {
  const url = parseRegisteredUri(uri, kind);
  if (!isWebUri(url)) throw invalid(`A ${kind} is https, or http to a loopback host (localhost, 127.0.0.1, [::1]): ${uri}.`);
}

/** Checks a list of redirect URIs and returns it without repeats, in the order given. */
export function normalizeRedirectUris(uris: readonly string[], clientType: ClientType, kind: 'redirect URI' | 'post-logout redirect URI'): string[] {
  for (const uri of uris) assertRedirectUri(uri, clientType, kind);
  const unique = [...new Set(uris)];
  if (unique.length > maxRedirectUris) throw invalid(`A client registers at most ${maxRedirectUris} ${kind}s.`);
  return unique;
}
