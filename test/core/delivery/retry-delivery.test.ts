import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { retryDelivery } from '../../../src/core/delivery/retry-delivery.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createManualClock, testContext } from '../../support/core-deps.ts';

describe('retryDelivery', () => {
  it('sends a dead delivery back to pending under the same id, audited with the operator; anything else is not found', async () => {
    const deps = { store: createMemoryStore(), clock: createManualClock(), random: systemRandom };
    const now = deps.clock.nowMs();
    await deps.store.deliveries.enqueue({ id: 'msg_1', kind: 'webhook', targetUrl: 'https://hooks.example.com/', payload: '{}', subject: 'ep_1', createdAtMs: now, nextAttemptAtMs: now });
    await rejectsWithAuthError(retryDelivery(deps, 'msg_1', testContext()), 'delivery_not_found');
    await deps.store.deliveries.claimDue({ kinds: ['webhook'], nowMs: now, leaseUntilMs: now + 1000, leaseToken: 't', limit: 1 });
    await deps.store.deliveries.complete('msg_1', 't', { state: 'dead', atMs: now, nextAttemptAtMs: now, lastStatus: 500, lastError: 'status_500' });
    deps.clock.advance(5000);
    await retryDelivery(deps, 'msg_1', { ...testContext(), actorId: 'op-1' });
    const d = await deps.store.deliveries.find('msg_1');
    assert.deepEqual([d?.state, d?.nextAttemptAtMs, d?.attempts], ['pending', now + 5000, 0]);
    const [audit] = await deps.store.audit.list({ limit: 1 });
    assert.deepEqual([audit?.type, audit?.actorId, audit?.detail], ['delivery.retried', 'op-1', 'msg_1']);
    await rejectsWithAuthError(retryDelivery(deps, 'msg_nope', testContext()), 'delivery_not_found');
  });
});
