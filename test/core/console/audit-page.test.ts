import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditPage } from '../../../src/core/console/audit-page.ts';
import type { AuditEvent } from '../../../src/core/ports.ts';
import { createTestCore, seedUser } from '../../support/core-deps.ts';

function anEvent(i: number, userId: string | null): AuditEvent {
  return { id: `e${String(i).padStart(4, '0')}`, atMs: 1_767_225_600_000 + i, type: 'login.succeeded', userId, email: null, ip: '203.0.113.7', userAgent: 'test', detail: null, actorId: null };
}

describe('auditPage (console)', () => {
  it('finds the user by email (any case) or by id, pages newest first with the cursor, and an unknown email matches nothing', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    for (let i = 0; i < 5; i++) await core.store.audit.append(anEvent(i, ada.id));
    for (let i = 5; i < 8; i++) await core.store.audit.append(anEvent(i, 'someone-else'));
    const byEmail = await auditPage(core, { user: 'ADA@example.com' }, 3);
    assert.deepEqual(byEmail.map((e) => e.id), ['e0004', 'e0003', 'e0002']);
    const next = await auditPage(core, { user: ada.id }, 3, { atMs: byEmail[2]!.atMs, id: byEmail[2]!.id });
    assert.deepEqual(next.map((e) => e.id), ['e0001', 'e0000']);
    assert.deepEqual(await auditPage(core, { user: 'nobody@example.com' }, 10), []);
    assert.equal((await auditPage(core, {}, 10)).length, 8);
  });
});
