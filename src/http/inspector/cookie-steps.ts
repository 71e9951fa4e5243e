import type { TraceStep, TraceValue } from '../../core/trace/ports.ts';
import { teaching, type TeachingKey } from '../../core/trace/teaching.ts';

/**
 * What a cookie is for, by name: the line the inspector shows beside it, including why its
 * SameSite is what it is. Values are never read (docs/security.md SEC-251).
 */
const purposes: ReadonlyArray<[RegExp, string]> = [
  [/^__(Host|Secure)-gatehouse_session$/, 'The session: id.secret, the server keeps only SHA-256(secret). Lax, so following a link into the app keeps you signed in.'],
  [/^__Host-gatehouse_pending_login$/, 'The pending login between the password and the second factor (5 minutes, sealed, never a session).'],
  [/^__Host-gatehouse_oauth$/, 'The social-login flow secret (state, nonce and PKCE verifier are derived from it). Lax, because the provider sends the browser back with a cross-site top-level redirect, which Strict would strip.'],
  [/^__Host-gatehouse_refresh_/, 'A browser app\'s refresh token, out of reach of scripts. Strict: only our own pages call the token endpoint, so no cross-site request ever needs it.'],
  [/^__Host-gatehouse_passkey$/, 'The passkey ceremony binding: the challenge is only valid from this browser. Strict: the ceremony never starts from another site.'],
  [/^__Host-gatehouse_passkey_signup$/, 'A passkey sign-up in progress, until the passkey is registered.'],
  [/^__Host-gatehouse_flow$/, "The inspector's flow id: random, derived from no secret, only groups this browser's steps together."],
];

interface ParsedSetCookie {
  name: string;
  attributes: Array<[string, string]>;
}

/** `name=value; Path=/; HttpOnly` -> the name and the attributes; the value is dropped here. */
export function parseSetCookie(header: string): ParsedSetCookie {
  const [pair = '', ...rest] = header.split(';');
  const name = pair.slice(0, Math.max(pair.indexOf('='), 0)).trim();
  const attributes = rest.map((part): [string, string] => {
    const at = part.indexOf('=');
    return at === -1 ? [part.trim(), ''] : [part.slice(0, at).trim(), part.slice(at + 1).trim()];
  });
  return { name, attributes };
}

function why(key: TeachingKey): string {
  const reference = teaching[key];
  return `${reference.why} (${reference.cite})`;
}

function cleared(attributes: ReadonlyArray<[string, string]>, nowMs: number): boolean {
  return attributes.some(([key, value]) => (key.toLowerCase() === 'max-age' && Number(value) <= 0) || (key.toLowerCase() === 'expires' && Date.parse(value) <= nowMs));
}

/** One `cookie` step per Set-Cookie header: the name, each attribute with a one-line why. */
export function cookieStep(header: string, nowMs: number): TraceStep {
  const { name, attributes } = parseSetCookie(header);
  const explained: TraceValue[] = [];
  if (name.startsWith('__Host-')) explained.push({ attribute: '__Host- prefix', why: why('cookie-host-prefix') });
  else if (name.startsWith('__Secure-')) explained.push({ attribute: '__Secure- prefix', why: why('cookie-secure-prefix') });
  for (const [key, value] of attributes) {
    const lower = key.toLowerCase();
    const line =
      lower === 'httponly'
        ? why('cookie-httponly')
        : lower === 'secure'
          ? 'Sent over HTTPS only (browsers treat http://localhost as secure).'
          : lower === 'samesite'
            ? why(value.toLowerCase() === 'strict' ? 'cookie-samesite-strict' : 'cookie-samesite-lax')
            : lower === 'path'
              ? 'Path=/: the whole origin (a __Host- cookie must say so).'
              : lower === 'domain'
                ? 'Domain: sent to this domain and every subdomain of it.'
                : lower === 'max-age' || lower === 'expires'
                  ? 'When the browser forgets it; the server enforces its own limits anyway.'
                  : '';
    explained.push({ attribute: value === '' ? key : `${key}=${value}`, why: line });
  }
  const isCleared = cleared(attributes, nowMs);
  const purpose = purposes.find(([pattern]) => pattern.test(name))?.[1] ?? 'A cookie set by this response.';
  return {
    kind: 'cookie',
    title: `${isCleared ? 'Cookie cleared' : 'Cookie set'}: ${name}`,
    outcome: 'info',
    detail: { name, purpose, attributes: explained, ...(isCleared ? { cleared: why('cookie-cleared') } : {}) },
    teach: name.startsWith('__Secure-') ? 'cookie-secure-prefix' : 'cookie-host-prefix',
  };
}
