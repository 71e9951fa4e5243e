import type { preHandlerAsyncHookHandler } from 'fastify';
import type { CoreDeps } from '../../core/deps.ts';
import { operatorOnly } from '../pages/operator-only.ts';

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
