import type { FastifyInstance } from 'fastify';
import { beginLogin } from '../../core/credentials/begin-login.ts';
import { completeSecondFactor } from '../../core/credentials/complete-second-factor.ts';
import { AuthError } from '../../core/errors.ts';
import { problem, sendProblem } from '../plugins/problem.ts';
import type { CoreDeps } from '../../core/deps.ts';
import { logOut } from '../../core/sessions/log-out.ts';
import { credentialsBody, errorResponses, sessionBody, userAndSessionResponse, userBody } from '../schemas.ts';
import { clearPendingLoginCookie, clearSessionCookie, currentSession, readPendingLoginToken, readSessionToken, requestContext, requireSession, setPendingLoginCookie, setSessionCookie } from '../session-cookie.ts';
import { sendJsonDirect } from '../direct-reply.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { validateSessionFromMemory } from '../../core/sessions/validate-session.ts';

/** The current session: log in, look at it, log out. */
export function sessionRoutes(app: FastifyInstance, deps: CoreDeps): void {
  const direct = app.directReplies;
  const checkBody = ({ user, session }: SessionWithUser): { [key: string]: unknown } => ({ user: userBody(user), session: sessionBody(session, deps.sessionPolicy.idleTimeoutMs, session.id) });
  // The body of a session answered from memory, by the route's own response serializer (so byte for
  // byte the pipeline's), kept while that frozen entry lives: it cannot change, nor can the body.
  const bodies = new WeakMap<SessionWithUser, string>();
  const serialized = (current: SessionWithUser, serialize: ((body: { [key: string]: unknown }) => string) | undefined): string | undefined => {
    const body = serialize?.(checkBody(current));
    if (body !== undefined && Object.isFrozen(current.session) && Object.isFrozen(current.user)) bodies.set(current, body);
    return body;
  };
  app.post<{ Body: { email: string; password: string } }>(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in with email and password; sets the session cookie.',
        description:
          'An account with two-factor authentication gets 401 `second_factor_required` and a 5-minute pending-login cookie instead: no session, no token. Send the code to POST /v1/session/second-factor.',
        body: credentialsBody,
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const previous = await currentSession(deps, request);
      const input = previous === null ? request.body : { ...request.body, previousSession: previous };
      const step = await beginLogin(deps, input, requestContext(request));
      if (step.kind === 'second_factor') {
        setPendingLoginCookie(reply, step.pendingToken);
        return sendProblem(reply, problem('second_factor_required', { detail: 'Send a TOTP code or a recovery code to POST /v1/session/second-factor.' }));
      }
      setSessionCookie(reply, step.token, step.session.expiresAtMs);
      return { user: userBody(step.user), session: sessionBody(step.session, deps.sessionPolicy.idleTimeoutMs, step.session.id) };
    },
  );

  app.post<{ Body: { code?: string; recoveryCode?: string } }>(
    '/v1/session/second-factor',
    {
      schema: {
        tags: ['session'],
        summary: 'Finish a login with a TOTP code or a recovery code; sets the session cookie.',
        description: 'Needs the pending-login cookie from POST /v1/session. Wrong codes are capped per account (429 with Retry-After).',
        body: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          maxProperties: 1,
          properties: { code: { type: 'string', minLength: 1, maxLength: 16 }, recoveryCode: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const pendingToken = readPendingLoginToken(request);
      if (pendingToken === undefined) throw new AuthError('no_pending_login');
      const { code, recoveryCode } = request.body;
      const proof = code !== undefined ? { code } : { recoveryCode: recoveryCode ?? '' };
      const previous = await currentSession(deps, request);
      const done = await completeSecondFactor(deps, { pendingToken, proof, ...(previous === null ? {} : { previousSession: previous }) }, requestContext(request));
      clearPendingLoginCookie(reply);
      setSessionCookie(reply, done.token, done.session.expiresAtMs);
      return { user: userBody(done.user), session: sessionBody(done.session, deps.sessionPolicy.idleTimeoutMs, done.session.id) };
    },
  );

  app.get(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'The current user and session, or 401.',
        response: { 200: userAndSessionResponse, ...errorResponses },
      },
    },
    // Not async: a session answered from memory is written at once, with no promise (direct-reply.ts).
    (request, reply) => {
      const token = direct && request.method === 'GET' ? readSessionToken(request) : undefined;
      const current = token === undefined ? undefined : validateSessionFromMemory(deps, token);
      const body = current === undefined ? undefined : (bodies.get(current) ?? serialized(current, reply.getSerializationFunction('200')));
      if (body !== undefined) return sendJsonDirect(reply, body);
      return requireSession(deps, request).then(checkBody);
    },
  );

  app.delete(
    '/v1/session',
    {
      schema: {
        tags: ['session'],
        summary: 'Log out: ends the current session and clears the cookie.',
        response: { 204: { type: 'null', description: 'Logged out.' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const current = await requireSession(deps, request);
      await logOut(deps, current, requestContext(request));
      clearSessionCookie(reply);
      return reply.code(204).send();
    },
  );
}
