import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { OAuthFlow } from '../../../src/core/ports.ts';
import { aSecretHash, aUser, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function aFlow(seed: number, overrides: Partial<OAuthFlow> = {}): OAuthFlow {
  return {
    idHash: aSecretHash(seed),
    provider: 'demo',
    purpose: 'login',
    userId: null,
    returnTo: '/account?tab=1',
    createdAtMs: t0Ms,
    expiresAtMs: t0Ms + 10 * minuteMs,
    ...overrides,
  };
}

export function oauthFlowsContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('oauth flows', () => {
    test('take returns the flow inserted under that hash, every field intact (bytes included)', async (store) => {
      await store.users.create(aUser('ada'));
      const flow = aFlow(1, { purpose: 'link', userId: 'user-ada', returnTo: '/account' });
      await store.oauthFlows.insert(flow);
      await store.oauthFlows.insert(aFlow(2));
      assert.deepEqual(await store.oauthFlows.take(aSecretHash(1)), flow);
    });

    test('take is single use: the second take of the same hash gets null', async (store) => {
      await store.oauthFlows.insert(aFlow(1));
      assert.notEqual(await store.oauthFlows.take(aSecretHash(1)), null);
      assert.equal(await store.oauthFlows.take(aSecretHash(1)), null);
    });

    test('of concurrent takes with one hash, exactly one gets the flow', async (store) => {
      await store.oauthFlows.insert(aFlow(1));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.oauthFlows.take(aSecretHash(1))));
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    test('take of an unknown hash, or one that differs in a single bit, gets null and removes nothing', async (store) => {
      await store.oauthFlows.insert(aFlow(1));
      const near = aSecretHash(1);
      near[31] = (near[31] as number) ^ 1;
      assert.equal(await store.oauthFlows.take(near), null);
      assert.equal(await store.oauthFlows.take(aSecretHash(9)), null);
      assert.notEqual(await store.oauthFlows.take(aSecretHash(1)), null);
    });

    test('deleteExpired removes flows whose expiry has come, and only those', async (store) => {
      await store.oauthFlows.insert(aFlow(1, { expiresAtMs: t0Ms + minuteMs }));
      await store.oauthFlows.insert(aFlow(2, { expiresAtMs: t0Ms + 2 * minuteMs }));
      await store.oauthFlows.insert(aFlow(3, { expiresAtMs: t0Ms + 3 * minuteMs }));
      assert.equal(await store.oauthFlows.deleteExpired(t0Ms + 2 * minuteMs), 2);
      assert.equal(await store.oauthFlows.take(aSecretHash(1)), null);
      assert.equal(await store.oauthFlows.take(aSecretHash(2)), null);
      assert.notEqual(await store.oauthFlows.take(aSecretHash(3)), null);
    });
  });
}
