import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { operatorAccess } from '../../core/operators/operator-access.ts';
import { operatorOnly } from '../pages/operator-only.ts';
import { currentSession } from '../session-cookie.ts';

/** `everyone`: dev mode (loopback only); `operators`: GATEHOUSE_INSPECTOR=admins. */
export type InspectorAudience = 'everyone' | 'operators';

/** Where the inspector lives: /dev/inspector in dev mode, inside the operator console with `admins`. */
export function inspectorBasePath(audience: InspectorAudience): '/dev/inspector' | '/admin/inspector' {
  return audience === 'everyone' ? '/dev/inspector' : '/admin/inspector';
}

const letThrough: preHandlerAsyncHookHandler = async () => undefined;

/**
 * The inspector's one access check, on the page, the JSON, the stream and the comparison alike:
 * in dev mode everyone on loopback; with `admins`, the console's own check, a signed-in operator
 * with a second factor (src/http/pages/operator-only.ts): anyone else gets the same 404 as an
 * unknown URL (docs/security.md SEC-253).
 */
export function inspectorAccess(deps: CoreDeps, audience: InspectorAudience): preHandlerAsyncHookHandler {
  return audience === 'everyone' ? letThrough : operatorOnly(deps, inspectorBasePath(audience));
}

/**
 * Whether the request that opened a stream may still receive it: always in dev mode; with
 * `admins`, its session must still be live and still an operator's with a second factor, and the
 * console not idle, checked as at the door but without counting as console use (an open page is
 * not activity). A stream outlives the request that passed the door (docs/security.md SEC-257).
 */
export async function mayStillWatch(deps: CoreDeps, audience: InspectorAudience, request: FastifyRequest): Promise<boolean> {
  if (audience === 'everyone') return true;
  const current = await currentSession(deps, request);
  return current !== null && (await operatorAccess(deps, current, false)) === 'granted';
}
