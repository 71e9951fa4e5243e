import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock, Random } from '../../../core/ports.ts';
import { openSecret, sealSecret } from '../../../core/otp/secret-box.ts';
import { redirectAfterPost } from '../layout.ts';
import { operatorSession } from '../operator-only.ts';

/**
 * A new secret (a client's, a webhook endpoint's) travels from the POST that made it to the page
 * that shows it in a cookie, so the POST answers with a redirect (a reload re-submits nothing) and
 * the secret is shown once (docs/security.md SEC-282, SEC-283): `__Host-`, HttpOnly, Secure,
 * SameSite=Strict, for 2 minutes; a JWE (dir + A256GCM) under a key from the server secret, bound
 * to the operator; cleared by the first page that reads it, whatever it held, and remembered by
 * this process until it expires, so a copy of it replayed to this instance shows nothing.
 */
const cookieName = '__Host-gatehouse_shown_once';
const ttlMs = 2 * 60_000;
const cookieOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'strict' } as const;

export interface ShownOnce {
  /** Seals `secret` for the page `place` names, then redirects (303) to `location`. */
  redirect(request: FastifyRequest, reply: FastifyReply, location: string, place: string, secret: { label: string; value: string }): Promise<FastifyReply>;
  /** The secret waiting for `place`, once: the cookie is cleared whatever it held. */
  take(request: FastifyRequest, reply: FastifyReply, place: string): Promise<{ label: string; value: string } | null>;
}

const kidOf = (request: FastifyRequest): string => `console-shown-once:${operatorSession(request).user.id}`;

/** `keys` from GATEHOUSE_SECRET (src/console-config.ts); without them (tests), a random key for this process. */
export function shownOnce(deps: { clock: Clock; random: Random }, keys: readonly Uint8Array[] | undefined): ShownOnce {
  const sealKeys = keys !== undefined && keys.length > 0 ? keys : [deps.random.bytes(32)];
  const taken = new Map<string, number>();
  const forget = (nowMs: number) => {
    for (const [value, expiresAtMs] of taken) if (expiresAtMs <= nowMs) taken.delete(value);
  };
  return {
    async redirect(request, reply, location, place, secret) {
      const expiresAtMs = deps.clock.nowMs() + ttlMs;
      const sealed = await sealSecret(JSON.stringify({ place, label: secret.label, value: secret.value, exp: expiresAtMs }), kidOf(request), sealKeys);
      reply.setCookie(cookieName, sealed, { ...cookieOptions, expires: new Date(expiresAtMs) });
      return redirectAfterPost(reply, location);
    },
    async take(request, reply, place) {
      const sealed = request.cookies[cookieName];
      if (sealed === undefined) return null;
      reply.clearCookie(cookieName, cookieOptions);
      const nowMs = deps.clock.nowMs();
      forget(nowMs);
      if (taken.has(sealed)) return null;
      const opened = await openSecret(sealed, kidOf(request), sealKeys);
      if (opened === null) return null;
      const waiting = JSON.parse(opened) as { place: string; label: string; value: string; exp: number };
      if (waiting.exp <= nowMs) return null;
      taken.set(sealed, waiting.exp);
      return waiting.place === place ? { label: waiting.label, value: waiting.value } : null;
    },
  };
}
