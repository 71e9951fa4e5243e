import type { CoreDeps } from '../deps.ts';
import type { AuditEvent } from '../ports.ts';
import { auditFilterFor, type AuditQuery } from './audit-query.ts';
import type { AuditCursor } from './ports.ts';

/** One page of the audit trail matching `query` (user by email or id), newest first, after `cursor`. */
export async function auditPage(deps: Pick<CoreDeps, 'store'>, query: AuditQuery, limit: number, cursor?: AuditCursor): Promise<AuditEvent[]> {
  const filter = await auditFilterFor(deps, query);
  return deps.store.auditSearch.page(filter, { limit, ...(cursor === undefined ? {} : { after: cursor }) });
}
