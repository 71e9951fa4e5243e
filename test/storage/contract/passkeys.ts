import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { PasskeyCredential } from '../../../src/core/ports.ts';
import { aSecretHash, aUser, minuteMs, readDuringRolledBackTransaction, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function aPasskey(id: string, userId: string, overrides: Partial<PasskeyCredential> = {}): PasskeyCredential {
  return {
    id,
    userId,
    credentialId: `cred-${id}`,
    publicKey: aSecretHash(id.length + 7),
    counter: 0,
    transports: ['internal', 'hybrid'],
    deviceType: 'singleDevice',
    backedUp: false,
    name: `Key ${id}`,
    createdAtMs: t0Ms,
    lastUsedAtMs: null,
    ...overrides,
  };
}

/** Passkeys (credential ids unique across accounts, counter updates as compare-and-set) and the record of answered challenges (single use). */
export function passkeysContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('passkeys', () => {
    test('findByCredentialId outside a transaction never sees a transaction that is still open (it rolls back here)', async (store) => {
      await store.users.create(aUser('ada'));
      assert.equal(await readDuringRolledBackTransaction(store, (tx) => tx.passkeys.create(aPasskey('p1', 'user-ada')), () => store.passkeys.findByCredentialId('cred-p1')), null);
      assert.equal(await store.passkeys.findByCredentialId('cred-p1'), null);
    });

    test('lockForUpdate: of transactions that each lock the user, count its passkeys and remove one while two remain, only one removes (docs/security.md SEC-165)', async (store) => {
      await store.users.create(aUser('ada'));
      // Repeated: without the lock, PostgreSQL at READ COMMITTED let both remove in about half the rounds.
      for (let round = 0; round < 12; round++) {
        await store.passkeys.create(aPasskey(`a${round}`, 'user-ada'));
        await store.passkeys.create(aPasskey(`b${round}`, 'user-ada'));
        const removeIfTwo = (id: string): Promise<boolean> =>
          store.transaction(async (tx) => {
            assert.equal((await tx.users.lockForUpdate('user-ada'))?.id, 'user-ada');
            if ((await tx.passkeys.listByUser('user-ada')).length < 2) return false;
            await tx.passkeys.delete('user-ada', id);
            return true;
          });
        const removed = await Promise.all([removeIfTwo(`a${round}`), removeIfTwo(`b${round}`)]);
        assert.deepEqual(removed.filter(Boolean).length, 1, `round ${String(round)}`);
        const [left] = await store.passkeys.listByUser('user-ada');
        await store.passkeys.delete('user-ada', left?.id ?? '');
      }
      assert.equal(await store.users.lockForUpdate('nobody'), null);
    });

    test('create and find round-trip every field, bytes and flags included; list is oldest first', async (store) => {
      await store.users.create(aUser('ada'));
      const a = aPasskey('p1', 'user-ada', { deviceType: 'multiDevice', backedUp: true, counter: 4_000_000_000, lastUsedAtMs: t0Ms + 1 });
      const b = aPasskey('p2', 'user-ada', { createdAtMs: t0Ms - 1, transports: [] });
      assert.equal(await store.passkeys.create(a), 'created');
      assert.equal(await store.passkeys.create(b), 'created');
      assert.deepEqual(await store.passkeys.findByCredentialId('cred-p1'), a);
      assert.equal(await store.passkeys.findByCredentialId('nope'), null);
      assert.deepEqual(await store.passkeys.listByUser('user-ada'), [b, a]);
      assert.deepEqual(await store.passkeys.listByUser('user-bob'), []);
    });

    test('findWithUser reads the passkey with its account, every field of both (a disabled account too), in and outside a transaction', async (store) => {
      const ada = aUser('ada');
      const bob = { ...aUser('bob'), disabledAtMs: t0Ms + 5, passwordHash: null };
      await store.users.create(ada);
      await store.users.create(bob);
      const a = aPasskey('p1', 'user-ada', { deviceType: 'multiDevice', backedUp: true, counter: 4_000_000_000, lastUsedAtMs: t0Ms + 1 });
      const b = aPasskey('p2', 'user-bob', { transports: [] });
      await store.passkeys.create(a);
      await store.passkeys.create(b);
      assert.deepEqual(await store.passkeys.findWithUser('cred-p1'), { passkey: a, user: ada });
      assert.deepEqual(await store.passkeys.findWithUser('cred-p2'), { passkey: b, user: await store.users.findById('user-bob') });
      assert.equal((await store.passkeys.findWithUser('cred-p2'))?.user.disabledAtMs, t0Ms + 5);
      assert.equal(await store.passkeys.findWithUser('nope'), null);
      assert.deepEqual(await store.transaction((tx) => tx.passkeys.findWithUser('cred-p1')), { passkey: a, user: ada });
      assert.equal(await readDuringRolledBackTransaction(store, (tx) => tx.passkeys.create(aPasskey('p3', 'user-ada')), () => store.passkeys.findWithUser('cred-p3')), null);
    });

    test('a credential id is unique across accounts (docs/security.md SEC-178)', async (store) => {
      await store.users.create(aUser('ada'));
      await store.users.create(aUser('bob'));
      assert.equal(await store.passkeys.create(aPasskey('p1', 'user-ada')), 'created');
      assert.equal(await store.passkeys.create(aPasskey('p2', 'user-bob', { credentialId: 'cred-p1' })), 'credential_taken');
      assert.deepEqual(await store.passkeys.listByUser('user-bob'), []);
    });

    test('recordUse applies only while the counter is the one expected; concurrent uses: one wins', async (store) => {
      await store.users.create(aUser('ada'));
      await store.passkeys.create(aPasskey('p1', 'user-ada', { counter: 5 }));
      assert.equal(await store.passkeys.recordUse('p1', { expectedCounter: 4, counter: 9, backedUp: true, atMs: t0Ms + 1 }), false);
      assert.equal(await store.passkeys.recordUse('p1', { expectedCounter: 5, counter: 6, backedUp: true, atMs: t0Ms + 2 }), true);
      const used = await store.passkeys.findByCredentialId('cred-p1');
      assert.equal(used?.counter, 6);
      assert.equal(used?.backedUp, true);
      assert.equal(used?.lastUsedAtMs, t0Ms + 2);
      const results = await Promise.all([7, 8, 9].map((counter) => store.passkeys.recordUse('p1', { expectedCounter: 6, counter, backedUp: false, atMs: t0Ms + 3 })));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.passkeys.recordUse('nope', { expectedCounter: 0, counter: 1, backedUp: false, atMs: t0Ms }), false);
    });

    test('rename and delete only the owner’s passkey; deleting the user removes the rest', async (store) => {
      await store.users.create(aUser('ada'));
      await store.users.create(aUser('bob'));
      await store.passkeys.create(aPasskey('p1', 'user-ada'));
      await store.passkeys.create(aPasskey('p2', 'user-ada'));
      assert.equal(await store.passkeys.rename('user-bob', 'p1', 'stolen'), false);
      assert.equal(await store.passkeys.rename('user-ada', 'p1', 'Laptop'), true);
      assert.equal((await store.passkeys.findByCredentialId('cred-p1'))?.name, 'Laptop');
      assert.equal(await store.passkeys.delete('user-bob', 'p1'), false);
      assert.equal(await store.passkeys.delete('user-ada', 'p1'), true);
      assert.equal(await store.passkeys.delete('user-ada', 'p1'), false);
      assert.equal(await store.users.delete('user-ada'), true);
      assert.equal(await store.passkeys.findByCredentialId('cred-p2'), null);
    });
  });

  describe('used passkey challenges', () => {
    test('claim is true the first time for a hash, false after; other hashes are apart', async (store) => {
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + 5 * minuteMs), true);
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + 5 * minuteMs), false);
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms + 5 * minuteMs), true);
    });

    test('the key is the ceremony, its expiry and challenge hash together (the ceremony token MACs both); rows are kept apart by either', async (store) => {
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs), true);
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms + minuteMs), true, 'another challenge with the same expiry');
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs), false);
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms + minuteMs), false);
      assert.equal(await store.usedPasskeyChallenges.deleteExpired(t0Ms + minuteMs), 2);
    });

    test('claim is single use also under concurrency, and inside a transaction', async (store) => {
      const results = await Promise.all(Array.from({ length: 6 }, () => store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs)));
      assert.equal(results.filter((r) => r).length, 1);
      assert.equal(await store.transaction((tx) => tx.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs)), false);
      // A refused claim does not spoil the transaction around it (PostgreSQL: ON CONFLICT, no aborted transaction).
      const after = await store.transaction(async (tx) => [await tx.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs), await tx.usedPasskeyChallenges.claim(aSecretHash(3), t0Ms + minuteMs)]);
      assert.deepEqual(after, [false, true]);
    });

    test('a rolled-back transaction leaves the challenge unused', async (store) => {
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await tx.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs), true);
          throw new Error('roll back');
        }),
      );
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs), true);
    });

    test('deleteExpired removes those expired at nowMs, keeps the rest', async (store) => {
      await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs);
      await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms + 2 * minuteMs);
      assert.equal(await store.usedPasskeyChallenges.deleteExpired(t0Ms + minuteMs), 1);
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms + minuteMs), true);
      assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms + 2 * minuteMs), false);
    });
  });
}
