import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { WebhookEndpoint } from '../../../src/core/ports.ts';
import { storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function anEndpoint(id: string, overrides: Partial<WebhookEndpoint> = {}): WebhookEndpoint {
  return {
    id,
    url: `https://hooks.example.com/${id}`,
    events: ['user.created', 'login.failed'],
    secretJwe: `jwe-of-${id}`,
    createdAtMs: t0Ms,
    consecutiveFailures: 0,
    lastSuccessAtMs: null,
    lastFailureAtMs: null,
    lastError: null,
    ...overrides,
  };
}

export function webhookEndpointsContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('webhook endpoints', () => {
    test('create, findById and list (oldest first) return every field intact', async (store) => {
      await store.webhookEndpoints.create(anEndpoint('ep2', { createdAtMs: t0Ms + 1, events: ['session.ended'] }));
      await store.webhookEndpoints.create(anEndpoint('ep1'));
      assert.deepEqual(await store.webhookEndpoints.findById('ep1'), anEndpoint('ep1'));
      assert.equal(await store.webhookEndpoints.findById('nope'), null);
      assert.deepEqual(await store.webhookEndpoints.list(), [anEndpoint('ep1'), anEndpoint('ep2', { createdAtMs: t0Ms + 1, events: ['session.ended'] })]);
      await assert.rejects(store.webhookEndpoints.create(anEndpoint('ep1')));
    });

    test('recordAttempt counts failures until a success resets them', async (store) => {
      await store.webhookEndpoints.create(anEndpoint('ep1'));
      await store.webhookEndpoints.recordAttempt('ep1', { ok: false, atMs: t0Ms + 1, error: 'status_500' });
      await store.webhookEndpoints.recordAttempt('ep1', { ok: false, atMs: t0Ms + 2, error: 'timeout' });
      let e = await store.webhookEndpoints.findById('ep1');
      assert.deepEqual([e?.consecutiveFailures, e?.lastFailureAtMs, e?.lastError, e?.lastSuccessAtMs], [2, t0Ms + 2, 'timeout', null]);
      await store.webhookEndpoints.recordAttempt('ep1', { ok: true, atMs: t0Ms + 3, error: null });
      e = await store.webhookEndpoints.findById('ep1');
      assert.deepEqual([e?.consecutiveFailures, e?.lastSuccessAtMs, e?.lastFailureAtMs], [0, t0Ms + 3, t0Ms + 2]);
      await store.webhookEndpoints.recordAttempt('nope', { ok: true, atMs: t0Ms, error: null });
    });

    test('setSecret and delete report whether the endpoint existed', async (store) => {
      await store.webhookEndpoints.create(anEndpoint('ep1'));
      assert.equal(await store.webhookEndpoints.setSecret('ep1', 'new-jwe'), true);
      assert.equal((await store.webhookEndpoints.findById('ep1'))?.secretJwe, 'new-jwe');
      assert.equal(await store.webhookEndpoints.setSecret('nope', 'x'), false);
      assert.equal(await store.webhookEndpoints.delete('ep1'), true);
      assert.equal(await store.webhookEndpoints.delete('ep1'), false);
      assert.deepEqual(await store.webhookEndpoints.list(), []);
    });
  });
}
