import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { deliverDue, type DeliverDeps, type DeliveryKind, type OutgoingRequest, type SendResult } from '../../../src/core/delivery/deliver-due.ts';
import type { DeliveryOutcome, Store } from '../../../src/core/ports.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createManualClock, type ManualClock } from '../../support/core-deps.ts';

const hourMs = 3_600_000;

function setUp(answers: SendResult[] = []) {
  const store: Store = createMemoryStore();
  const clock: ManualClock = createManualClock();
  const sent: OutgoingRequest[] = [];
  const outcomes: [string, DeliveryOutcome][] = [];
  const kind: DeliveryKind = {
    contentType: 'application/json',
    prepare: async (delivery, atMs) => ({ 'x-id': delivery.id, 'x-at': String(atMs) }),
    onOutcome: async (delivery, outcome) => void outcomes.push([delivery.id, outcome]),
  };
  const deps: DeliverDeps = {
    deliveries: store.deliveries,
    clock,
    random: systemRandom,
    sender: { send: async (request) => (sent.push(request), answers.shift() ?? { ok: true, status: 200 }) },
    kinds: new Map([['test', kind]]),
    retry: { baseDelayMs: 1000, maxDelayMs: hourMs, giveUpAfterMs: 72 * hourMs },
    leaseMs: 60_000,
    batchSize: 10,
  };
  const enqueue = (id: string) => store.deliveries.enqueue({ id, kind: 'test', targetUrl: `https://hooks.example.com/${id}`, payload: `{"n":"${id}"}`, subject: null, createdAtMs: clock.nowMs(), nextAttemptAtMs: clock.nowMs() });
  return { store, clock, sent, outcomes, kind, deps, enqueue };
}

describe('deliverDue', () => {
  it('sends each due delivery with its kind headers and the stable id, and marks it delivered', async () => {
    const { store, deps, sent, outcomes, enqueue, clock } = setUp();
    await enqueue('d1');
    assert.equal(await deliverDue(deps), 1);
    assert.deepEqual(sent, [{ url: 'https://hooks.example.com/d1', headers: { 'content-type': 'application/json', 'x-id': 'd1', 'x-at': String(clock.nowMs()) }, body: '{"n":"d1"}' }]);
    assert.equal((await store.deliveries.find('d1'))?.state, 'delivered');
    assert.deepEqual(outcomes.map(([id, o]) => [id, o.state, o.lastStatus]), [['d1', 'delivered', 200]]);
    assert.equal(await deliverDue(deps), 0, 'nothing left to send');
  });

  it('retries a failure with exponential backoff and jitter, keeping the id, then delivers (SEC-298)', async () => {
    const failures: SendResult[] = Array.from({ length: 5 }, () => ({ ok: false, status: 500, error: 'status_500' }));
    const { store, deps, sent, enqueue, clock } = setUp(failures);
    await enqueue('d1');
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = clock.nowMs();
      await deliverDue(deps);
      const d = await store.deliveries.find('d1');
      assert.equal(d?.state, 'pending');
      assert.equal(d?.lastError, 'status_500');
      waits.push((d?.nextAttemptAtMs ?? 0) - before);
      // Not due a moment before its time.
      clock.advance((d?.nextAttemptAtMs ?? 0) - before - 1);
      assert.equal(await deliverDue(deps), 0);
      clock.advance(1);
    }
    await deliverDue(deps);
    assert.equal((await store.deliveries.find('d1'))?.state, 'delivered');
    assert.equal((await store.deliveries.find('d1'))?.attempts, 6);
    // Each wait is between half and all of 1 s, 2 s, 4 s, 8 s, 16 s.
    waits.forEach((wait, i) => assert.ok(wait >= 500 * 2 ** i && wait <= 1000 * 2 ** i, `wait ${i}: ${wait} ms`));
    assert.equal(new Set(sent.map((r) => r.headers['x-id'])).size, 1, 'every attempt carries the same id');
  });

  it('gives up after the retry window (3 days): the delivery is dead, and an operator retry sends it again with the same id', async () => {
    const { store, deps, enqueue, clock, outcomes } = setUp(Array.from({ length: 200 }, () => ({ ok: false, status: 503, error: 'status_503' })));
    await enqueue('d1');
    let attempts = 0;
    for (;;) {
      await deliverDue(deps);
      attempts++;
      const d = await store.deliveries.find('d1');
      if (d?.state !== 'pending') break;
      clock.advance(d.nextAttemptAtMs - clock.nowMs());
    }
    const dead = await store.deliveries.find('d1');
    assert.equal(dead?.state, 'dead');
    assert.ok(clock.nowMs() - (dead?.createdAtMs ?? 0) <= 72 * hourMs);
    assert.ok(clock.nowMs() - (dead?.createdAtMs ?? 0) > 70 * hourMs, 'it kept trying for about three days');
    assert.ok(attempts > 10 && attempts < 200, `${attempts} attempts`);
    assert.equal(outcomes.at(-1)?.[1].state, 'dead');
    assert.equal(await store.deliveries.retry('d1', clock.nowMs()), true);
    deps.sender = { send: async () => ({ ok: true, status: 200 }) };
    await deliverDue(deps);
    assert.deepEqual([(await store.deliveries.find('d1'))?.state, (await store.deliveries.find('d1'))?.id], ['delivered', 'd1']);
  });

  it('ends a delivery whose target is gone as dead, without sending', async () => {
    const { store, deps, sent, enqueue, kind } = setUp();
    kind.prepare = async () => null;
    await enqueue('d1');
    await deliverDue(deps);
    assert.deepEqual(sent, []);
    const d = await store.deliveries.find('d1');
    assert.deepEqual([d?.state, d?.lastError], ['dead', 'target_removed']);
  });

  it('leaves kinds it does not know to the processes that do', async () => {
    const { store, deps } = setUp();
    await store.deliveries.enqueue({ id: 'other', kind: 'not-here', targetUrl: 'https://x.example', payload: '{}', subject: null, createdAtMs: 0, nextAttemptAtMs: 0 });
    assert.equal(await deliverDue(deps), 0);
    assert.equal((await store.deliveries.find('other'))?.attempts, 0);
  });

  it('a crash mid-send leaves the delivery pending, and it is sent again once the lease is over', async () => {
    const { store, deps, enqueue, clock } = setUp();
    await enqueue('d1');
    // The process dies while the request is out: no outcome is ever recorded.
    await store.deliveries.claimDue({ kinds: ['test'], nowMs: clock.nowMs(), leaseUntilMs: clock.nowMs() + deps.leaseMs, leaseToken: 'dead-worker', limit: 10 });
    assert.equal(await deliverDue(deps), 0, 'leased: not sent twice at once');
    clock.advance(deps.leaseMs);
    assert.equal(await deliverDue(deps), 1);
    assert.deepEqual([(await store.deliveries.find('d1'))?.state, (await store.deliveries.find('d1'))?.attempts], ['delivered', 2]);
  });

  it('a failing outcome callback or prepare is reported, never lost silently', async () => {
    const { store, deps, enqueue, kind } = setUp();
    const errors: unknown[] = [];
    deps.onError = (error) => errors.push(error);
    kind.prepare = async () => {
      throw new Error('the signing key is unreadable');
    };
    await enqueue('d1');
    await deliverDue(deps);
    const d = await store.deliveries.find('d1');
    assert.deepEqual([d?.state, d?.lastError], ['pending', 'internal_error']);
    assert.equal(errors.length, 1);
  });
});
