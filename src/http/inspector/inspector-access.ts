import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { AuthError } from '../../core/errors.ts';
import { currentSession } from '../session-cookie.ts';

/** `everyone`: dev mode (loopback only); `operators`: GATEHOUSE_INSPECTOR=admins. */
export type InspectorAudience = 'everyone' | 'operators';

/**
 * Who is an operator. Until the operator console's check exists, nobody is: `admins` then
 * refuses everyone, which is the safe way to be wrong (docs/security.md SEC-253).
 */
async function isOperator(_deps: CoreDeps, _request: FastifyRequest): Promise<boolean> {
  return false;
}

/**
 * The inspector's one access check, on the page, the JSON and the stream alike: in dev mode
 * everyone on loopback; with `admins`, a signed-in operator only. A signed-out page visit goes
 * to the login page; anything else refused is a 403 (docs/security.md SEC-253).
 */
export function inspectorAccess(deps: CoreDeps, audience: InspectorAudience): preHandlerAsyncHookHandler {
  return async function requireInspectorAccess(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (audience === 'everyone') return undefined;
    const session = await currentSession(deps, request);
    const wantsPage = request.url.split('?')[0] === '/dev/inspector' || request.url.startsWith('/dev/inspector/compare');
    if (session === null && wantsPage && request.method === 'GET') return reply.redirect(`/login?return_to=${encodeURIComponent(request.url.split('?')[0] ?? '/')}`, 303);
    if (session === null) throw new AuthError('unauthenticated');
    if (!(await isOperator(deps, request))) throw new AuthError('inspector_forbidden');
    return undefined;
  };
}
