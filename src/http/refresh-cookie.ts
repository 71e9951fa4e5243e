import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client } from '../core/ports.ts';

/**
 * The refresh token of a browser client (`refreshTokenDelivery: 'cookie'`) lives only here: an
 * HttpOnly cookie no script can read, so an XSS cannot steal the long-lived credential, and the
 * access token stays in the page's memory only.
 *
 * **Why `__Host-` with `Path=/` rather than `Path=/v1/token`.** The `__Host-` prefix makes the
 * browser refuse the cookie unless it is Secure, host-only and `Path=/`, so no sibling subdomain
 * can plant or overwrite it. A narrower Path would need the weaker `__Secure-` prefix, and Path
 * is not a security boundary anyway (RFC 6265 8.5: same-origin pages can reach any path). The
 * cookie is still *scoped to the token endpoint* where it matters: only `/v1/token` and
 * `/v1/token/revoke` ever read it, `SameSite=Strict` keeps it off every cross-site request, and
 * the app-wide origin check refuses cross-site posts before a route runs.
 *
 * One cookie per client (the client id is made of cookie-safe characters, client-policy.ts), so
 * two browser apps on one origin never overwrite each other's token.
 */
export function refreshCookieName(clientId: string): string {
  return `__Host-gatehouse_refresh_${clientId}`;
}

const attributes = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;

/** Max-Age is the idle lifetime: a token unused that long is dead anyway, and the server refuses it. */
export function setRefreshCookie(reply: FastifyReply, client: Client, token: string, idleTtlMs: number): void {
  reply.setCookie(refreshCookieName(client.id), token, { ...attributes, maxAge: Math.floor(idleTtlMs / 1000) });
}

export function clearRefreshCookie(reply: FastifyReply, client: Client): void {
  reply.clearCookie(refreshCookieName(client.id), attributes);
}

export function readRefreshCookie(request: FastifyRequest, client: Client): string | undefined {
  return request.cookies[refreshCookieName(client.id)];
}
