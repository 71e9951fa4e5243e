import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { explainSessionEnd } from '../../core/sessions/explain-session-end.ts';
import { clearSessionCookie, currentSession, readSessionToken } from '../session-cookie.ts';

// The session a signedIn() preHandler found, for the handler after it. A WeakMap rather than a
// request decoration: nothing outlives the request, and no plugin has to declare it first.
const signedInSessions = new WeakMap<FastifyRequest, SessionWithUser>();

/**
 * The one "must be signed in" check of the pages, as a fastify `preHandler`: without a valid
 * session the browser goes to the login page (303), which brings it back to `returnTo`
 * afterwards. A cookie that names no valid session any more (revoked, expired) is cleared, not
 * left to linger in the browser; when another session ended it, the login page says so. Read the session in the handler with `signedInSession(request)`.
 */
export function signedIn(deps: CoreDeps, returnTo: string): preHandlerAsyncHookHandler {
  return async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const current = await currentSession(deps, request);
    if (current !== null) {
      signedInSessions.set(request, current);
      return undefined;
    }
    // When another session ended this one, /login says so through a fixed flag: the URL carries
    // no token (docs/security.md SEC-141).
    const stale = readSessionToken(request);
    const why = stale !== undefined && (await explainSessionEnd(deps, stale)) === 'ended_elsewhere' ? '&why=signed-out-elsewhere' : '';
    if (stale !== undefined) clearSessionCookie(reply);
    // Returning the reply is how an async hook answers early: the handler does not run.
    return reply.redirect(`/login?return_to=${encodeURIComponent(returnTo)}${why}`, 303);
  };
}

/** The session the route's `signedIn()` preHandler found. Throws when the route has no such preHandler. */
export function signedInSession(request: FastifyRequest): SessionWithUser {
  const current = signedInSessions.get(request);
  if (current === undefined) throw new Error(`${request.method} ${request.url}: the route has no signedIn() preHandler`);
  return current;
}
