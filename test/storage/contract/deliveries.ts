import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { NewDelivery } from '../../../src/core/ports.ts';
import { anAuditEvent, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function aDelivery(id: string, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return { id, kind: 'webhook', targetUrl: `https://hooks.example.com/${id}`, payload: `{"id":"${id}"}`, subject: 'endpoint-1', createdAtMs: t0Ms, nextAttemptAtMs: t0Ms, ...overrides };
}

export function deliveriesContract(open: OpenStore): void {
  const test = storeTest(open);
  const claim = { kinds: ['webhook'], nowMs: t0Ms, leaseUntilMs: t0Ms + minuteMs, leaseToken: 'lease-1', limit: 10 };
  const failed = (atMs: number, nextAttemptAtMs: number) => ({ state: 'pending' as const, atMs, nextAttemptAtMs, lastStatus: 500, lastError: 'status_500' });

  describe('deliveries', () => {
    test('an enqueued delivery is pending, due, and found with every field intact', async (store) => {
      await store.deliveries.enqueue(aDelivery('d1'));
      assert.deepEqual(await store.deliveries.find('d1'), {
        ...aDelivery('d1'),
        state: 'pending',
        attempts: 0,
        lastAttemptAtMs: null,
        lastStatus: null,
        lastError: null,
        completedAtMs: null,
        retriedAtMs: null,
      });
      assert.equal(await store.deliveries.find('nope'), null);
    });

    test('claimDue takes due deliveries of the given kinds only, counts the attempt and leases them', async (store) => {
      await store.deliveries.enqueue(aDelivery('d1'));
      await store.deliveries.enqueue(aDelivery('d2', { nextAttemptAtMs: t0Ms + 1 }));
      await store.deliveries.enqueue(aDelivery('d3', { kind: 'backchannel_logout' }));
      const claimed = await store.deliveries.claimDue(claim);
      assert.deepEqual(
        claimed.map((d) => [d.id, d.attempts, d.nextAttemptAtMs, d.lastAttemptAtMs]),
        [['d1', 1, t0Ms + minuteMs, t0Ms]],
      );
      // Leased: not due again until the lease ends, then due again (a worker that died mid-send).
      assert.deepEqual(await store.deliveries.claimDue({ ...claim, nowMs: t0Ms + 1, leaseUntilMs: t0Ms + 2 * minuteMs, leaseToken: 'lease-2' }).then((r) => r.map((d) => d.id)), ['d2']);
      const again = await store.deliveries.claimDue({ ...claim, nowMs: t0Ms + minuteMs, leaseUntilMs: t0Ms + 2 * minuteMs, leaseToken: 'lease-3' });
      assert.deepEqual(again.map((d) => [d.id, d.attempts]), [['d1', 2]]);
      // The first claim's lease is over: its outcome is not recorded any more.
      assert.equal(await store.deliveries.complete('d1', 'lease-1', { state: 'delivered', atMs: t0Ms, nextAttemptAtMs: t0Ms, lastStatus: 200, lastError: null }), false);
      assert.equal(await store.deliveries.complete('d1', 'lease-3', { state: 'delivered', atMs: t0Ms + minuteMs, nextAttemptAtMs: t0Ms + minuteMs, lastStatus: 204, lastError: null }), true);
      const d1 = await store.deliveries.find('d1');
      assert.deepEqual([d1?.state, d1?.lastStatus, d1?.completedAtMs, d1?.attempts], ['delivered', 204, t0Ms + minuteMs, 2]);
    });

    test('claimDue honours limit and takes the longest-due first', async (store) => {
      for (let i = 0; i < 5; i++) await store.deliveries.enqueue(aDelivery(`d${i}`, { nextAttemptAtMs: t0Ms - i }));
      const claimed = await store.deliveries.claimDue({ ...claim, limit: 2 });
      assert.deepEqual(claimed.map((d) => d.id).sort(), ['d3', 'd4']);
    });

    test('concurrent claims never hand one delivery to two workers', async (store) => {
      for (let i = 0; i < 20; i++) await store.deliveries.enqueue(aDelivery(`d${i}`));
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((token) => store.deliveries.claimDue({ ...claim, leaseToken: token, limit: 8 })));
      const ids = results.flat().map((d) => d.id);
      assert.equal(new Set(ids).size, ids.length, 'a delivery was claimed twice');
      assert.ok(ids.length <= 20);
    });

    test('a failed attempt stays pending until its next time; a delivered or dead one is never claimed again', async (store) => {
      await store.deliveries.enqueue(aDelivery('d1'));
      await store.deliveries.enqueue(aDelivery('d2'));
      await store.deliveries.claimDue(claim);
      assert.equal(await store.deliveries.complete('d1', 'lease-1', failed(t0Ms, t0Ms + 10_000)), true);
      assert.equal(await store.deliveries.complete('d2', 'lease-1', { state: 'dead', atMs: t0Ms, nextAttemptAtMs: t0Ms, lastStatus: null, lastError: 'timeout' }), true);
      const d1 = await store.deliveries.find('d1');
      assert.deepEqual([d1?.state, d1?.nextAttemptAtMs, d1?.lastStatus, d1?.lastError, d1?.completedAtMs], ['pending', t0Ms + 10_000, 500, 'status_500', null]);
      assert.deepEqual(await store.deliveries.claimDue({ ...claim, nowMs: t0Ms + 9_999, leaseToken: 'x' }), []);
      assert.deepEqual((await store.deliveries.claimDue({ ...claim, nowMs: t0Ms + 10_000, leaseToken: 'y' })).map((d) => d.id), ['d1']);
      // complete is refused twice over: a finished delivery cannot be reopened by a stale lease.
      assert.equal(await store.deliveries.complete('d2', 'lease-1', failed(t0Ms, t0Ms)), false);
      assert.equal((await store.deliveries.find('d2'))?.state, 'dead');
    });

    test('retry sends a dead delivery back to pending with the same id and a new retry window', async (store) => {
      await store.deliveries.enqueue(aDelivery('d1'));
      await store.deliveries.claimDue(claim);
      assert.equal(await store.deliveries.retry('d1', t0Ms + 5), false, 'only a dead delivery is retried');
      await store.deliveries.complete('d1', 'lease-1', { state: 'dead', atMs: t0Ms, nextAttemptAtMs: t0Ms, lastStatus: 410, lastError: 'status_410' });
      assert.equal(await store.deliveries.retry('d1', t0Ms + 5), true);
      const d1 = await store.deliveries.find('d1');
      assert.deepEqual([d1?.id, d1?.state, d1?.attempts, d1?.nextAttemptAtMs, d1?.retriedAtMs, d1?.createdAtMs, d1?.completedAtMs], ['d1', 'pending', 0, t0Ms + 5, t0Ms + 5, t0Ms, null]);
      assert.equal(await store.deliveries.retry('nope', t0Ms), false);
    });

    test('list filters by state, kind and subject, newest first; countByState counts', async (store) => {
      await store.deliveries.enqueue(aDelivery('d1', { createdAtMs: t0Ms }));
      await store.deliveries.enqueue(aDelivery('d2', { createdAtMs: t0Ms + 1, subject: 'endpoint-2' }));
      await store.deliveries.enqueue(aDelivery('d3', { createdAtMs: t0Ms + 2, kind: 'backchannel_logout', subject: 'client-1' }));
      await store.deliveries.claimDue(claim);
      await store.deliveries.complete('d1', 'lease-1', { state: 'dead', atMs: t0Ms, nextAttemptAtMs: t0Ms, lastStatus: null, lastError: 'timeout' });
      assert.deepEqual((await store.deliveries.list({ limit: 10 })).map((d) => d.id), ['d3', 'd2', 'd1']);
      assert.deepEqual((await store.deliveries.list({ limit: 1 })).map((d) => d.id), ['d3']);
      assert.deepEqual((await store.deliveries.list({ limit: 10, state: 'dead' })).map((d) => d.id), ['d1']);
      assert.deepEqual((await store.deliveries.list({ limit: 10, kind: 'webhook' })).map((d) => d.id), ['d2', 'd1']);
      assert.deepEqual((await store.deliveries.list({ limit: 10, subject: 'client-1' })).map((d) => d.id), ['d3']);
      assert.deepEqual(await store.deliveries.countByState(), { pending: 2, delivered: 0, dead: 1 });
      assert.deepEqual(await store.deliveries.countByState('backchannel_logout'), { pending: 1, delivered: 0, dead: 0 });
    });

    test('deleteCompletedBefore forgets finished deliveries only', async (store) => {
      await store.deliveries.enqueue(aDelivery('d1'));
      await store.deliveries.enqueue(aDelivery('d2'));
      await store.deliveries.enqueue(aDelivery('d3', { nextAttemptAtMs: t0Ms + minuteMs }));
      await store.deliveries.claimDue(claim);
      await store.deliveries.complete('d1', 'lease-1', { state: 'delivered', atMs: t0Ms, nextAttemptAtMs: t0Ms, lastStatus: 200, lastError: null });
      await store.deliveries.complete('d2', 'lease-1', { state: 'dead', atMs: t0Ms + 10, nextAttemptAtMs: t0Ms, lastStatus: null, lastError: 'timeout' });
      assert.equal(await store.deliveries.deleteCompletedBefore(t0Ms + 5), 1);
      assert.deepEqual((await store.deliveries.list({ limit: 10 })).map((d) => d.id).sort(), ['d2', 'd3']);
    });

    test('an enqueue inside a transaction commits with the event, and rolls back with it', async (store) => {
      await store.transaction(async (tx) => {
        await tx.audit.append(anAuditEvent('e1', { type: 'user.signed_up' }));
        await tx.deliveries.enqueue(aDelivery('d1'));
      });
      assert.equal((await store.deliveries.find('d1'))?.state, 'pending');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.audit.append(anAuditEvent('e2', { type: 'user.signed_up' }));
          await tx.deliveries.enqueue(aDelivery('d2'));
          throw new Error('the operation failed half-way');
        }),
        /half-way/,
      );
      assert.equal(await store.deliveries.find('d2'), null);
      assert.deepEqual((await store.audit.list({ limit: 10 })).map((e) => e.id), ['e1']);
    });
  });
}
