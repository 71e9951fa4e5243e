import type { FastifyReply, FastifyRequest } from 'fastify';
import { passkeyChallengeTtlMs } from '../core/passkeys/passkey-policy.ts';

/**
 * The ceremony cookie: the WebAuthn challenge with its expiry under the server's MAC, bound to
 * the purpose, the account and what asked (core/passkeys/ceremony.ts); nothing is stored until
 * it is answered (docs/security.md SEC-190). HttpOnly (no script reads it), `__Host-` (no
 * subdomain plants it), SameSite=Strict (no other site's request carries it), 5 minutes like the
 * challenge (SEC-183). One ceremony per browser at a time: a newer one replaces it.
 */
export const passkeyCeremonyCookieName = '__Host-gatehouse_passkey';

export function setPasskeyCeremonyCookie(reply: FastifyReply, ceremonyToken: string): void {
  reply.setCookie(passkeyCeremonyCookieName, ceremonyToken, { path: '/', secure: true, httpOnly: true, sameSite: 'strict', maxAge: passkeyChallengeTtlMs / 1000 });
}

/** Reads and clears it: a ceremony is answered once, whatever the outcome. */
export function takePasskeyCeremonyCookie(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const value = request.cookies[passkeyCeremonyCookieName];
  if (value !== undefined) reply.clearCookie(passkeyCeremonyCookieName, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
  return value;
}

/**
 * The token of a passkey sign-up link, moved from the URL into a cookie at once, so it is in
 * no page, no history entry and no Referer while the passkey is made.
 */
export const passkeySignupCookieName = '__Host-gatehouse_passkey_signup';

export function setPasskeySignupCookie(reply: FastifyReply, token: string): void {
  reply.setCookie(passkeySignupCookieName, token, { path: '/', secure: true, httpOnly: true, sameSite: 'lax', maxAge: 30 * 60 });
}

export function clearPasskeySignupCookie(reply: FastifyReply): void {
  reply.clearCookie(passkeySignupCookieName, { path: '/', secure: true, httpOnly: true, sameSite: 'lax' });
}

export function readPasskeySignupToken(request: FastifyRequest): string | undefined {
  return request.cookies[passkeySignupCookieName];
}
