import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Binds a social login to the browser that started it (docs/security.md SEC-35): the callback works
 * only with this cookie. `__Host-`, HttpOnly, Secure; SameSite=Lax so it comes back on the
 * provider's top-level redirect to the callback, which is a cross-site navigation.
 */
export const flowCookieName = '__Host-gatehouse_oauth';

export function setFlowCookie(reply: FastifyReply, value: string, expiresAtMs: number): void {
  reply.setCookie(flowCookieName, value, { path: '/', secure: true, httpOnly: true, sameSite: 'lax', expires: new Date(expiresAtMs) });
}

export function clearFlowCookie(reply: FastifyReply): void {
  reply.clearCookie(flowCookieName, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
}

export function readFlowCookie(request: FastifyRequest): string | undefined {
  return request.cookies[flowCookieName];
}
