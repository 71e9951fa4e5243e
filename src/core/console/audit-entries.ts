import type { CoreDeps } from '../deps.ts';
import type { AuditEvent } from '../ports.ts';
import { auditFilterFor, type AuditQuery } from './audit-query.ts';

/** Rows per read: big enough to be quick, small enough that an export holds only this many at once. */
export const auditExportPageSize = 500;

/**
 * Every audit entry matching `query` (user by email or id), newest first, read page by page with the keyset cursor
 * (core/console/ports.ts AuditSearch): an export of millions of rows holds one page in memory,
 * and each page costs the same however deep it is. The caller streams the entries out as they come.
 */
export async function* auditEntries(deps: Pick<CoreDeps, 'store'>, query: AuditQuery, pageSize: number = auditExportPageSize): AsyncGenerator<AuditEvent> {
  const filter = await auditFilterFor(deps, query);
  let after: { atMs: number; id: string } | undefined;
  for (;;) {
    const page = await deps.store.auditSearch.page(filter, { limit: pageSize, ...(after === undefined ? {} : { after }) });
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { atMs: last.atMs, id: last.id };
  }
}
