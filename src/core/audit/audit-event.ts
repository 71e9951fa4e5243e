import { timeOrderedId } from '../time-ordered-id.ts';
import type { AuditEvent, AuditEventType, Clock, Random } from '../ports.ts';
import type { RequestContext } from '../deps.ts';

/** Builds an audit entry: time, user, IP and user agent, plus a non-secret detail; the operator acting, from the context. */
export function auditEvent(
  deps: { clock: Clock; random: Random },
  type: AuditEventType,
  context: RequestContext,
  fields: { userId?: string | null; email?: string | null; detail?: string | null },
): AuditEvent {
  const atMs = deps.clock.nowMs();
  return {
    // Time-ordered: the audit is append-only, and its id index then takes each entry beside the last.
    id: timeOrderedId(atMs, deps.random),
    atMs,
    type,
    userId: fields.userId ?? null,
    email: fields.email ?? null,
    ip: context.ip,
    userAgent: context.userAgent,
    detail: fields.detail ?? null,
    actorId: context.actorId ?? null,
  };
}
