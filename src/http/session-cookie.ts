import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps, RequestContext } from '../core/deps.ts';
import { AuthError } from '../core/errors.ts';
import type { SessionWithUser } from '../core/ports.ts';
import { validateSession } from '../core/sessions/validate-session.ts';

/**
 * `__Host-` means the browser only accepts it with Secure, Path=/ and no Domain, so no
 * subdomain can plant or overwrite it (docs/security.md SEC-9). Browsers treat http://localhost
 * as secure, so dev mode works with the same attributes.
 */
export const sessionCookieName = '__Host-gatehouse_session';
/**
 * The opt-in cookie for forward auth across sibling subdomains (GATEHOUSE_SESSION_COOKIE_DOMAIN):
 * `__Secure-` still demands Secure, but allows the Domain attribute that `__Host-` forbids.
 * The trade-off is in docs/deployment.md (docs/security.md SEC-158).
 */
export const domainSessionCookieName = '__Secure-gatehouse_session';

/** Which session cookie this app sets and reads: chosen once, in buildApp. */
export interface SessionCookieSettings {
  name: string;
  /** Undefined: a host-only `__Host-` cookie. */
  domain: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    sessionCookie: SessionCookieSettings;
  }
}

/** The `__Host-` cookie, or with a domain the `__Secure-` one scoped to it. */
export function sessionCookieSettings(domain: string | undefined): SessionCookieSettings {
  return domain === undefined || domain === '' ? { name: sessionCookieName, domain: undefined } : { name: domainSessionCookieName, domain };
}

function cookieOptions(settings: SessionCookieSettings): { path: '/'; secure: true; httpOnly: true; sameSite: 'lax'; domain?: string } {
  const options = { path: '/', secure: true, httpOnly: true, sameSite: 'lax' } as const;
  return settings.domain === undefined ? options : { ...options, domain: settings.domain };
}

export function setSessionCookie(reply: FastifyReply, token: string, expiresAtMs: number): void {
  const settings = reply.server.sessionCookie;
  reply.setCookie(settings.name, token, { ...cookieOptions(settings), expires: new Date(expiresAtMs) });
}

export function clearSessionCookie(reply: FastifyReply): void {
  const settings = reply.server.sessionCookie;
  reply.clearCookie(settings.name, cookieOptions(settings));
}

/** The session token from the cookie, and only from the cookie: never from the URL or a header. */
export function readSessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[request.server.sessionCookie.name];
}

// Not async: the check's own promise is handed on, one promise and one microtask fewer on every
// authenticated request.
export function currentSession(deps: CoreDeps, request: FastifyRequest): Promise<SessionWithUser | null> {
  const token = readSessionToken(request);
  return token === undefined ? Promise.resolve(null) : validateSession(deps, token);
}

export async function requireSession(deps: CoreDeps, request: FastifyRequest): Promise<SessionWithUser> {
  const current = await currentSession(deps, request);
  if (current === null) throw new AuthError('unauthenticated');
  return current;
}

export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : '' };
}

/** The pending login between the password and the second factor: 5 minutes, never a session. */
export const pendingLoginCookieName = '__Host-gatehouse_pending_login';

export function setPendingLoginCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(pendingLoginCookieName, token, { path: '/', secure: true, httpOnly: true, sameSite: 'lax', maxAge: 300 });
}

export function clearPendingLoginCookie(reply: FastifyReply): void {
  reply.clearCookie(pendingLoginCookieName, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
}

export function readPendingLoginToken(request: FastifyRequest): string | undefined {
  return request.cookies[pendingLoginCookieName];
}
