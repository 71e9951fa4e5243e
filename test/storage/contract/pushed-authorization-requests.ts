import assert from 'node:assert/strict';
import { aSecretHash, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function pushedAuthorizationRequestsContract(open: OpenStore): void {
  const test = storeTest(open);

  test('pushed authorization requests: taken once, with every field intact; expired ones are deleted', async (store) => {
    const request = { idHash: aSecretHash(11), clientId: 'web', params: { response_type: 'code', scope: 'openid profile', state: 'é ü "x"' }, createdAtMs: t0Ms, expiresAtMs: t0Ms + minuteMs };
    await store.pushedAuthorizationRequests.insert(request);
    await store.pushedAuthorizationRequests.insert({ ...request, idHash: aSecretHash(12), expiresAtMs: t0Ms + 2 * minuteMs });
    const [first, second] = await Promise.all([store.pushedAuthorizationRequests.take(aSecretHash(11)), store.pushedAuthorizationRequests.take(aSecretHash(11))]);
    assert.deepEqual([first, second].filter((r) => r !== null), [request], 'one of two concurrent takes gets it');
    assert.equal(await store.pushedAuthorizationRequests.take(aSecretHash(99)), null);
    assert.equal(await store.pushedAuthorizationRequests.deleteExpired(t0Ms + 2 * minuteMs), 1);
    assert.equal(await store.pushedAuthorizationRequests.take(aSecretHash(12)), null);
  });
}
