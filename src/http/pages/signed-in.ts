import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { explainSessionEnd } from '../../core/sessions/explain-session-end.ts';
import { clearSessionCookie, currentSession, readSessionToken } from '../session-cookie.ts';

/**
 * The signed-in user of a page, or null after redirecting to /login (303) with `returnTo`. A
 * cookie that no longer opens a session is cleared, and when another session ended it, /login
 * says so through a fixed flag: the URL carries no token (docs/security.md SEC-141).
 *
 * @example
 * const current = await signedInOrRedirect(deps, request, reply, '/account');
 * if (current === null) return reply;
 */
export async function signedInOrRedirect(deps: CoreDeps, request: FastifyRequest, reply: FastifyReply, returnTo: string): Promise<SessionWithUser | null> {
  const current = await currentSession(deps, request);
  if (current !== null) return current;
  const stale = readSessionToken(request);
  const why = stale !== undefined && (await explainSessionEnd(deps, stale)) === 'ended_elsewhere' ? '&why=signed-out-elsewhere' : '';
  if (stale !== undefined) clearSessionCookie(reply);
  await reply.redirect(`/login?return_to=${encodeURIComponent(returnTo)}${why}`, 303);
  return null;
}
