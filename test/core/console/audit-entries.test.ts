import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEntries, auditExportPageSize } from '../../../src/core/console/audit-entries.ts';
import type { AuditEvent } from '../../../src/core/ports.ts';
import { createTestCore } from '../../support/core-deps.ts';

function anEvent(i: number): AuditEvent {
  // Several entries share each millisecond, so the cursor's tie-break on the id is exercised.
  return { id: `e${String(i).padStart(6, '0')}`, atMs: 1_767_225_600_000 + Math.floor(i / 3), type: i % 2 === 0 ? 'login.succeeded' : 'login.failed', userId: null, email: null, ip: '203.0.113.7', userAgent: 'test', detail: null, actorId: null };
}

describe('auditEntries', () => {
  it('reads a large trail page by page with the cursor: never more than one page per read, every entry once, newest first', async () => {
    const core = await createTestCore();
    const total = 20_000;
    await core.store.transaction(async (tx) => {
      for (let i = 0; i < total; i++) await tx.audit.append(anEvent(i));
    });
    const reads: number[] = [];
    const page = core.store.auditSearch.page.bind(core.store.auditSearch);
    core.store.auditSearch.page = async (filter, options) => {
      const rows = await page(filter, options);
      reads.push(rows.length);
      assert.ok(options.limit <= auditExportPageSize, `a read asks for ${options.limit} rows`);
      return rows;
    };
    let count = 0;
    let previous: AuditEvent | undefined;
    const seen = new Set<string>();
    for await (const e of auditEntries(core, {})) {
      if (previous !== undefined) assert.ok(e.atMs < previous.atMs || (e.atMs === previous.atMs && e.id > previous.id), `order at ${e.id}`);
      seen.add(e.id);
      previous = e;
      count++;
    }
    assert.equal(count, total);
    assert.equal(seen.size, total);
    assert.equal(reads.length, Math.ceil(total / auditExportPageSize) + 1, 'one read per page, and one that finds the end');
    assert.ok(Math.max(...reads) <= auditExportPageSize);
  });

  it('applies the filter to every page', async () => {
    const core = await createTestCore();
    for (let i = 0; i < 25; i++) await core.store.audit.append(anEvent(i));
    const failed: string[] = [];
    for await (const e of auditEntries(core, { type: 'login.failed' }, 4)) failed.push(e.id);
    assert.equal(failed.length, 12);
  });
});
