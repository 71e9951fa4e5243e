import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { SigningKeyRecord } from '../../../src/core/ports.ts';
import { hourMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function aKey(kid: string, overrides: Partial<SigningKeyRecord> = {}): SigningKeyRecord {
  return {
    kid,
    alg: 'EdDSA',
    publicJwk: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: `public-${kid}`, kid, alg: 'EdDSA', use: 'sig' }),
    // Shaped like a compact JWE: five base64url parts; long enough to catch a truncating column.
    privateJwe: `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..${kid}-iv.${'c'.repeat(2000)}.${kid}-tag`,
    createdAtMs: t0Ms,
    activatesAtMs: t0Ms,
    retiresAtMs: null,
    expiresAtMs: null,
    ...overrides,
  };
}

export function signingKeysContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('signing keys', () => {
    test('insertFirst: of five instances racing on an empty store, exactly one key is stored', async (store) => {
      // Warm every connection a pooled adapter has, so the racers really overlap.
      await Promise.all(Array.from({ length: 5 }, () => store.signingKeys.list()));
      const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((kid) => store.signingKeys.insertFirst(aKey(kid), t0Ms)));
      assert.equal(results.filter(Boolean).length, 1, `inserted: ${JSON.stringify(results)}`);
      const keys = await store.signingKeys.list();
      assert.equal(keys.length, 1);
      assert.equal(keys[0]?.kid, ['a', 'b', 'c', 'd', 'e'][results.indexOf(true)]);
    });

    test('insertFirst stores nothing while a key can sign, and stores one when the only keys are retired or not active yet', async (store) => {
      await store.signingKeys.insert(aKey('signing'));
      assert.equal(await store.signingKeys.insertFirst(aKey('second'), t0Ms), false);
      assert.deepEqual((await store.signingKeys.list()).map((k) => k.kid), ['signing']);
      await store.signingKeys.retire('signing', t0Ms + hourMs, t0Ms + 2 * hourMs);
      await store.signingKeys.insert(aKey('scheduled', { activatesAtMs: t0Ms + 3 * hourMs }));
      assert.equal(await store.signingKeys.insertFirst(aKey('fresh', { activatesAtMs: t0Ms + hourMs }), t0Ms + hourMs), true);
      assert.deepEqual((await store.signingKeys.list()).map((k) => k.kid).sort(), ['fresh', 'scheduled', 'signing']);
    });

    test('ID token keys: round-trip their purpose; insertFirst counts only keys of the same ring (purpose and algorithm)', async (store) => {
      await store.signingKeys.insert(aKey('access'));
      const rs = aKey('id-rs', { alg: 'RS256', purpose: 'id_token' });
      assert.equal(await store.signingKeys.insertFirst(rs, t0Ms), true, 'an access key does not stand in for an ID token key');
      assert.equal(await store.signingKeys.insertFirst(aKey('id-rs2', { alg: 'RS256', purpose: 'id_token' }), t0Ms), false);
      assert.equal(await store.signingKeys.insertFirst(aKey('id-es', { alg: 'ES256', purpose: 'id_token' }), t0Ms), true, 'another algorithm is another ring');
      assert.equal(await store.signingKeys.insertFirst(aKey('access2'), t0Ms), false, 'ID token keys do not count for the access ring either way');
      const listed = await store.signingKeys.list();
      assert.deepEqual(listed.find((k) => k.kid === 'id-rs'), rs);
      assert.equal(listed.find((k) => k.kid === 'access')?.purpose, undefined);
      assert.deepEqual(listed.map((k) => k.kid).sort(), ['access', 'id-es', 'id-rs']);
    });

    test('insert stores the key; list returns it with every field intact', async (store) => {
      const current = aKey('k1', { createdAtMs: t0Ms - 5, activatesAtMs: t0Ms + 3 });
      await store.signingKeys.insert(current);
      assert.deepEqual(await store.signingKeys.list(), [current]);
    });

    test('insert round-trips a retired key with both of its times', async (store) => {
      const retired = aKey('k0', { alg: 'ES256', retiresAtMs: t0Ms + hourMs, expiresAtMs: t0Ms + 25 * hourMs });
      await store.signingKeys.insert(retired);
      assert.deepEqual(await store.signingKeys.list(), [retired]);
    });

    test('insert refuses a kid already stored and keeps the first key', async (store) => {
      const first = aKey('k1');
      await store.signingKeys.insert(first);
      await assert.rejects(store.signingKeys.insert(aKey('k1', { alg: 'none', publicJwk: '{}' })));
      assert.deepEqual(await store.signingKeys.list(), [first]);
    });

    test('list orders keys by activatesAtMs, whatever the insertion order, ties by kid', async (store) => {
      const next = aKey('k-next', { activatesAtMs: t0Ms + hourMs });
      const old = aKey('k-old', { activatesAtMs: t0Ms - 48 * hourMs, retiresAtMs: t0Ms, expiresAtMs: t0Ms + hourMs });
      const current = aKey('k-current', { activatesAtMs: t0Ms - hourMs });
      const tieB = aKey('k-tie-b', { activatesAtMs: t0Ms + 2 * hourMs });
      const tieA = aKey('k-tie-a', { activatesAtMs: t0Ms + 2 * hourMs });
      for (const key of [tieB, next, old, tieA, current]) await store.signingKeys.insert(key);
      assert.deepEqual(await store.signingKeys.list(), [old, current, next, tieA, tieB]);
    });

    test('list on an empty store is empty', async (store) => {
      assert.deepEqual(await store.signingKeys.list(), []);
    });

    test('retire sets retiresAtMs and expiresAtMs on that key only; an unknown kid changes nothing', async (store) => {
      const a = aKey('a', { activatesAtMs: t0Ms });
      const b = aKey('b', { activatesAtMs: t0Ms + 1 });
      await store.signingKeys.insert(a);
      await store.signingKeys.insert(b);
      await store.signingKeys.retire('a', t0Ms + hourMs, t0Ms + 3 * hourMs);
      assert.deepEqual(await store.signingKeys.list(), [{ ...a, retiresAtMs: t0Ms + hourMs, expiresAtMs: t0Ms + 3 * hourMs }, b]);
      await store.signingKeys.retire('nobody', t0Ms, t0Ms);
      assert.deepEqual(await store.signingKeys.list(), [{ ...a, retiresAtMs: t0Ms + hourMs, expiresAtMs: t0Ms + 3 * hourMs }, b]);
    });

    test('deleteExpired removes only keys whose expiresAtMs <= now, never one with a null expiresAtMs, and counts them', async (store) => {
      const nowMs = t0Ms + 10 * hourMs;
      const longGone = aKey('long-gone', { activatesAtMs: t0Ms - 3, retiresAtMs: t0Ms, expiresAtMs: t0Ms + hourMs });
      const expiresNow = aKey('expires-now', { activatesAtMs: t0Ms - 2, retiresAtMs: t0Ms + hourMs, expiresAtMs: nowMs });
      const expiresLater = aKey('expires-later', { activatesAtMs: t0Ms - 1, retiresAtMs: t0Ms + 2 * hourMs, expiresAtMs: nowMs + 1 });
      const current = aKey('current', { activatesAtMs: t0Ms });
      // Retired but with no expiry set: it is still published, so it must stay.
      const retiredNoExpiry = aKey('retired-no-expiry', { activatesAtMs: t0Ms + 1, retiresAtMs: t0Ms + hourMs });
      const upcoming = aKey('upcoming', { activatesAtMs: nowMs + hourMs });
      for (const key of [longGone, expiresNow, expiresLater, current, retiredNoExpiry, upcoming]) await store.signingKeys.insert(key);

      assert.equal(await store.signingKeys.deleteExpired(nowMs), 2);
      assert.deepEqual(await store.signingKeys.list(), [expiresLater, current, retiredNoExpiry, upcoming]);
      assert.equal(await store.signingKeys.deleteExpired(nowMs), 0, 'nothing left to delete at the same instant');
      // Far in the future, only keys with an expiry go, however old the others are.
      assert.equal(await store.signingKeys.deleteExpired(Number.MAX_SAFE_INTEGER), 1);
      assert.deepEqual(await store.signingKeys.list(), [current, retiredNoExpiry, upcoming]);
    });

    test('a key inserted in a transaction that throws is not stored', async (store) => {
      const failure = new Error('work failed');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.signingKeys.insert(aKey('k1'));
          throw failure;
        }),
        failure,
      );
      assert.deepEqual(await store.signingKeys.list(), []);
    });
  });
}
