import type { FastifyInstance } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import type { AppConfig } from '../app-config.ts';
import { compileAccessRules, type AccessRule } from '../../core/forward-auth/access-rules.ts';
import { checkAccess } from '../../core/forward-auth/check-access.ts';
import type { SessionWithUser } from '../../core/ports.ts';
import { validateSession, validateSessionFromMemory } from '../../core/sessions/validate-session.ts';
import { noContentHeaders, sendNoContentDirect } from '../direct-reply.ts';
import { createForwardedUrlReader, type ForwardedTarget } from '../forwarded-url.ts';
import { problem, sendProblem } from '../plugins/problem.ts';
import { safeReturnTo } from '../return-to.ts';
import { errorResponses } from '../schemas.ts';
import { readSessionToken } from '../session-cookie.ts';

export type AuthCheckConfig = Pick<AppConfig, 'publicUrl' | 'trustedProxies' | 'allowedReturnOrigins' | 'forwardAuth'>;

const anySession: AccessRule = { origin: '', pathPrefix: '/', requirement: 'session' };

/**
 * Header values are bytes: a non-ASCII address (or a stray `%`) is percent-encoded as UTF-8, so
 * the header is always valid and `decodeURIComponent` gives the address back.
 */
function headerSafe(value: string): string {
  return /[^\x21-\x24\x26-\x7e]/.test(value) ? value.replace(/[^\x21-\x24\x26-\x7e]/gu, (ch) => encodeURIComponent(ch)) : value;
}

/** What the upstream learns of an allowed request, as header name, value pairs. */
function signedInHeaders({ user, session }: SessionWithUser): string[] {
  return ['x-gatehouse-user', user.id, 'x-gatehouse-email', headerSafe(user.email), 'x-gatehouse-session', session.id];
}

// A 204's headers for a session answered from memory, kept while that frozen entry lives (as the
// session check keeps its body, routes/session.ts): it cannot change, nor can its headers.
const preparedHeaders = new WeakMap<SessionWithUser, readonly string[]>();
function directHeaders(current: SessionWithUser): readonly string[] {
  let headers = preparedHeaders.get(current);
  if (headers === undefined) {
    headers = noContentHeaders(signedInHeaders(current));
    if (Object.isFrozen(current.session) && Object.isFrozen(current.user)) preparedHeaders.set(current, headers);
  }
  return headers;
}

/**
 * `GET /v1/auth/check`: the login wall for apps behind a reverse proxy (nginx `auth_request`,
 * Traefik ForwardAuth, Caddy `forward_auth`). One session lookup and no body on the way through,
 * since the proxy asks on every request to the app.
 */
export function authCheckRoutes(app: FastifyInstance, deps: CoreDeps, config: AuthCheckConfig): void {
  const rules = config.forwardAuth?.accessRules ?? [];
  const ruleFor = compileAccessRules(rules);
  const redirect = config.forwardAuth?.mode === 'redirect';
  const direct = app.directReplies;
  const readForwardedUrl = createForwardedUrlReader(config.trustedProxies);
  const loginUrl = (forwarded: ForwardedTarget | null): string => {
    if (forwarded === null) return `${config.publicUrl}/login`;
    const target = forwarded.url();
    // On our own origin return_to is a path; elsewhere an absolute URL that must be on an allowed origin.
    const value = target.origin === config.publicUrl ? `${target.pathname}${target.search}` : target.href;
    return `${config.publicUrl}/login?return_to=${encodeURIComponent(safeReturnTo(value, config.publicUrl, config.allowedReturnOrigins))}`;
  };

  app.get(
    '/v1/auth/check',
    {
      schema: {
        tags: ['session'],
        summary: 'Forward auth: is the browser behind the reverse proxy signed in?',
        description:
          'For nginx `auth_request`, Traefik ForwardAuth and Caddy `forward_auth`. 204 with `X-Gatehouse-User`, `X-Gatehouse-Email` and `X-Gatehouse-Session` for a live session; ' +
          '401 (with `Location`: the login page) without one, or 302 to the login page in redirect mode. The original URL comes from `X-Forwarded-Proto`, `X-Forwarded-Host` and `X-Forwarded-Uri`, believed from trusted proxies only. ' +
          'With forward-auth rules configured, a URL no rule covers gets 403 `forward_auth_target_unknown`, and a rule asking for a second factor 403 `step_up_required`. See docs/deployment.md.',
        response: { 204: { type: 'null', description: 'Signed in; the X-Gatehouse-* headers name the user and session.' }, 302: { type: 'null', description: 'Redirect mode: to the login page.' }, ...errorResponses },
      },
    },
    // Not async: a session answered from memory is let through at once, with no promise (direct-reply.ts).
    (request, reply) => {
      const target = readForwardedUrl(request);
      const rule = rules.length === 0 ? anySession : target === null ? null : ruleFor(target);
      // Deny by default: a URL the rules do not cover, or one we cannot believe, is refused (SEC-153).
      if (rule === null) return sendProblem(reply, problem('forward_auth_target_unknown'));
      const token = readSessionToken(request);
      const fromMemory = direct && token !== undefined && request.method === 'GET' ? validateSessionFromMemory(deps, token) : undefined;
      const fast = fromMemory === undefined ? undefined : checkAccess(rule, fromMemory);
      if (fast?.kind === 'allowed') return sendNoContentDirect(reply, directHeaders(fast.current));
      return (token === undefined ? Promise.resolve(null) : validateSession(deps, token)).then((current) => {
        const decision = checkAccess(rule, current);
        if (decision.kind === 'unauthenticated') {
          reply.header('location', loginUrl(target));
          return redirect ? reply.code(302).send() : sendProblem(reply, problem('unauthenticated'));
        }
        if (decision.kind === 'step_up_required') return sendProblem(reply, problem('step_up_required'));
        const headers = signedInHeaders(decision.current);
        for (let i = 0; i < headers.length; i += 2) reply.header(headers[i] as string, headers[i + 1]);
        return reply.code(204).send();
      });
    },
  );
}
