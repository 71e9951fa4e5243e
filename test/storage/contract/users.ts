import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { aSession, aUser, minuteMs, readDuringRolledBackTransaction, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function usersContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('users', () => {
    test('findById outside a transaction never sees a transaction that is still open (it rolls back here)', async (store) => {
      const alice = aUser('alice');
      assert.equal(await readDuringRolledBackTransaction(store, (tx) => tx.users.create(alice), () => store.users.findById(alice.id)), null);
      assert.equal(await store.users.findById(alice.id), null);
    });

    test('create stores the user, found again by id and by email', async (store) => {
      const alice = aUser('alice', { disabledAtMs: null });
      assert.equal(await store.users.create(alice), 'created');
      assert.deepEqual(await store.users.findById(alice.id), alice);
      assert.deepEqual(await store.users.findByEmail(alice.email), alice);
    });

    test('updateEmail moves the account to a free address; an address another account has is email_taken, and nothing changes', async (store) => {
      const alice = aUser('alice');
      const bob = aUser('bob');
      await store.users.create(alice);
      await store.users.create(bob);
      assert.equal(await store.users.updateEmail(alice.id, 'alice-new@example.com', t0Ms + 9), 'updated');
      assert.deepEqual(await store.users.findById(alice.id), { ...alice, email: 'alice-new@example.com', updatedAtMs: t0Ms + 9 });
      assert.equal(await store.users.findByEmail(alice.email), null, 'the old address is free again');
      assert.equal(await store.users.updateEmail(alice.id, bob.email, t0Ms + 10), 'email_taken');
      assert.equal((await store.users.findById(alice.id))?.email, 'alice-new@example.com');
      assert.deepEqual(await store.users.findByEmail(bob.email), bob);
    });

    test('updateEmail inside a transaction that then goes on: an email_taken answer does not break it', async (store) => {
      const alice = aUser('alice');
      const bob = aUser('bob');
      await store.users.create(alice);
      await store.users.create(bob);
      await store.transaction(async (tx) => {
        assert.equal(await tx.users.updateEmail(alice.id, bob.email, t0Ms + 1), 'email_taken');
        await tx.users.updatePasswordHash(alice.id, 'still-works', t0Ms + 2);
      });
      assert.equal((await store.users.findById(alice.id))?.passwordHash, 'still-works');
    });

    test('create round-trips a disabled account and its times', async (store) => {
      const disabled = aUser('dora', { createdAtMs: t0Ms - 5, updatedAtMs: t0Ms + 7, disabledAtMs: t0Ms + 3 });
      await store.users.create(disabled);
      assert.deepEqual(await store.users.findById(disabled.id), disabled);
    });

    test('create answers email_taken for an existing email and keeps the first account', async (store) => {
      const first = aUser('alice');
      await store.users.create(first);
      const second = aUser('other', { email: first.email, passwordHash: 'attacker-chosen' });
      assert.equal(await store.users.create(second), 'email_taken');
      assert.equal(await store.users.findById(second.id), null);
      assert.deepEqual(await store.users.findByEmail(first.email), first);
    });

    test('findById and findByEmail return null for an unknown user', async (store) => {
      await store.users.create(aUser('alice'));
      assert.equal(await store.users.findById('user-nobody'), null);
      assert.equal(await store.users.findByEmail('nobody@example.com'), null);
    });

    test('updatePasswordHash replaces the hash and updatedAtMs, nothing else', async (store) => {
      const alice = aUser('alice');
      const bob = aUser('bob');
      await store.users.create(alice);
      await store.users.create(bob);
      await store.users.updatePasswordHash(alice.id, 'new-hash', t0Ms + minuteMs);
      assert.deepEqual(await store.users.findById(alice.id), { ...alice, passwordHash: 'new-hash', updatedAtMs: t0Ms + minuteMs });
      assert.deepEqual(await store.users.findById(bob.id), bob);
    });

    test('updatePasswordHash on an unknown id changes nothing', async (store) => {
      const alice = aUser('alice');
      await store.users.create(alice);
      await store.users.updatePasswordHash('user-nobody', 'new-hash', t0Ms + minuteMs);
      assert.deepEqual(await store.users.list({ limit: 10 }), [alice]);
    });

    test('setDisabledAt disables and re-enables, and answers false for an unknown id', async (store) => {
      const alice = aUser('alice');
      await store.users.create(alice);
      assert.equal(await store.users.setDisabledAt(alice.id, t0Ms + 1, t0Ms + 2), true);
      assert.deepEqual(await store.users.findById(alice.id), { ...alice, disabledAtMs: t0Ms + 1, updatedAtMs: t0Ms + 2 });
      assert.equal(await store.users.setDisabledAt(alice.id, null, t0Ms + 3), true);
      assert.deepEqual(await store.users.findById(alice.id), { ...alice, disabledAtMs: null, updatedAtMs: t0Ms + 3 });
      assert.equal(await store.users.setDisabledAt('user-nobody', t0Ms, t0Ms), false);
    });

    test('delete removes the user with every one of their sessions, and only theirs', async (store) => {
      const alice = aUser('alice');
      const bob = aUser('bob');
      await store.users.create(alice);
      await store.users.create(bob);
      await store.sessions.create(aSession('s-a1', alice.id));
      await store.sessions.create(aSession('s-a2', alice.id));
      const bobSession = aSession('s-b1', bob.id);
      await store.sessions.create(bobSession);

      assert.equal(await store.users.delete(alice.id), true);
      assert.equal(await store.users.findById(alice.id), null);
      assert.equal(await store.users.findByEmail(alice.email), null);
      assert.equal(await store.sessions.findWithUser('s-a1'), null);
      assert.equal(await store.sessions.findWithUser('s-a2'), null);
      assert.deepEqual(await store.sessions.listByUser(alice.id), []);
      assert.deepEqual(await store.sessions.findWithUser('s-b1'), { session: bobSession, user: bob });

      assert.equal(await store.users.delete(alice.id), false);
      // The email is free again once the account is gone.
      assert.equal(await store.users.create(aUser('alice2', { email: alice.email })), 'created');
    });

    test('list pages through every user in email order', async (store) => {
      const names = ['carol', 'alice', 'eve', 'bob', 'dave'];
      for (const name of names) await store.users.create(aUser(name));
      const [alice, bob, carol, dave, eve] = [...names].sort().map((name) => aUser(name));

      assert.deepEqual(await store.users.list({ limit: 2 }), [alice, bob]);
      assert.deepEqual(await store.users.list({ limit: 2, afterEmail: 'bob@example.com' }), [carol, dave]);
      assert.deepEqual(await store.users.list({ limit: 2, afterEmail: 'dave@example.com' }), [eve]);
      assert.deepEqual(await store.users.list({ limit: 2, afterEmail: 'eve@example.com' }), []);
      // afterEmail is a cursor, not an id: it need not be an existing email.
      assert.deepEqual(await store.users.list({ limit: 10, afterEmail: 'c' }), [carol, dave, eve]);
      assert.deepEqual(await store.users.list({ limit: 100 }), [alice, bob, carol, dave, eve]);
    });

    test('list on an empty store is empty', async (store) => {
      assert.deepEqual(await store.users.list({ limit: 10 }), []);
    });
  });
}
