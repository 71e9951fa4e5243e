import type { Clock, PushedAuthorizationRequestStore } from '../ports.ts';
import { pushedRequestHash, requestUriPrefix } from './push-authorization-request.ts';

const referencePattern = /^[A-Za-z0-9_-]{16,64}$/;

/**
 * The authorization request a client pushed (RFC 9126 4), for the authorization endpoint that
 * received `request_uri` and `client_id`: its parameters, or null when the request_uri is
 * malformed, unknown, already used, expired, or was pushed by another client. Taking it deletes
 * it, whatever the outcome: a request_uri works once (a second use, or a use by another client
 * after a leak, finds nothing).
 *
 * @example
 * const params = await takePushedAuthorizationRequest(deps, query.client_id, query.request_uri);
 * if (params === null) return errorPage('request_uri is unknown, used or expired');
 */
export async function takePushedAuthorizationRequest(
  deps: { clock: Clock; store: { pushedAuthorizationRequests: PushedAuthorizationRequestStore } },
  clientId: string,
  requestUri: string,
): Promise<Record<string, string> | null> {
  if (!requestUri.startsWith(requestUriPrefix)) return null;
  const reference = requestUri.slice(requestUriPrefix.length);
  if (!referencePattern.test(reference)) return null;
  const pushed = await deps.store.pushedAuthorizationRequests.take(pushedRequestHash(reference));
  if (pushed === null || pushed.clientId !== clientId || deps.clock.nowMs() >= pushed.expiresAtMs) return null;
  return pushed.params;
}
