import { randomId } from '../sessions/session-token.ts';
import type { AuditEvent, AuditEventType, Clock, Random } from '../ports.ts';
import type { RequestContext } from '../deps.ts';

/** Builds an audit entry: time, user, IP and user agent, plus a non-secret detail; the operator acting, from the context. */
export function auditEvent(
  deps: { clock: Clock; random: Random },
  type: AuditEventType,
  context: RequestContext,
  fields: { userId?: string | null; email?: string | null; detail?: string | null },
): AuditEvent {
  return {
    id: randomId(deps.random),
    atMs: deps.clock.nowMs(),
    type,
    userId: fields.userId ?? null,
    email: fields.email ?? null,
    ip: context.ip,
    userAgent: context.userAgent,
    detail: fields.detail ?? null,
    actorId: context.actorId ?? null,
  };
}
