import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { anAuditEvent, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function auditContract(open: OpenStore): void {
  const test = storeTest(open);

  // Appended out of time order on purpose: list must sort, not echo insertion order.
  const first = anAuditEvent('e1', { atMs: t0Ms, type: 'user.signed_up', userId: 'user-alice', email: 'alice@example.com' });
  const second = anAuditEvent('e2', { atMs: t0Ms + minuteMs, type: 'login.failed', email: 'nobody@example.com', detail: 'unknown_email' });
  const third = anAuditEvent('e3', { atMs: t0Ms + 2 * minuteMs, type: 'login.succeeded', userId: 'user-bob', detail: 'session s-b1' });
  const fourth = anAuditEvent('e4', { atMs: t0Ms + 3 * minuteMs, type: 'logout', userId: 'user-alice' });

  describe('audit', () => {
    test('list returns appended events newest first, every field intact', async (store) => {
      for (const event of [third, first, fourth, second]) await store.audit.append(event);
      assert.deepEqual(await store.audit.list({ limit: 10 }), [fourth, third, second, first]);
    });

    test('list honours limit, keeping the newest', async (store) => {
      for (const event of [first, second, third, fourth]) await store.audit.append(event);
      assert.deepEqual(await store.audit.list({ limit: 2 }), [fourth, third]);
    });

    test('list filters by userId', async (store) => {
      for (const event of [first, second, third, fourth]) await store.audit.append(event);
      assert.deepEqual(await store.audit.list({ limit: 10, userId: 'user-alice' }), [fourth, first]);
      assert.deepEqual(await store.audit.list({ limit: 1, userId: 'user-alice' }), [fourth]);
      assert.deepEqual(await store.audit.list({ limit: 10, userId: 'user-bob' }), [third]);
      assert.deepEqual(await store.audit.list({ limit: 10, userId: 'user-nobody' }), []);
    });

    test('list on an empty log is empty', async (store) => {
      assert.deepEqual(await store.audit.list({ limit: 10 }), []);
    });
  });
}
