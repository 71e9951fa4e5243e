import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { aSession, aUser, anAuditEvent, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function transactionContract(open: OpenStore): void {
  const test = storeTest(open);
  const alice = aUser('alice');
  const bob = aUser('bob');

  describe('transaction', () => {
    test('commits every write together and returns what the work returns', async (store) => {
      const session = aSession('s-b1', bob.id);
      const event = anAuditEvent('e1', { type: 'user.signed_up', userId: bob.id, email: bob.email });

      const result = await store.transaction(async (tx) => {
        assert.equal(await tx.users.create(bob), 'created');
        await tx.sessions.create(session);
        await tx.audit.append(event);
        return 'done';
      });

      assert.equal(result, 'done');
      assert.deepEqual(await store.users.findById(bob.id), bob);
      assert.deepEqual(await store.sessions.findWithUser('s-b1'), { session, user: bob });
      assert.deepEqual(await store.audit.list({ limit: 10 }), [event]);
    });

    test('work reads its own uncommitted writes through tx', async (store) => {
      const session = aSession('s-b1', bob.id);
      await store.transaction(async (tx) => {
        await tx.users.create(bob);
        await tx.sessions.create(session);
        assert.deepEqual(await tx.users.findByEmail(bob.email), bob);
        assert.deepEqual(await tx.sessions.findWithUser('s-b1'), { session, user: bob });
        assert.deepEqual(await tx.sessions.listByUser(bob.id), [session]);
      });
    });

    test('when the work throws, every write inside is rolled back and the error rethrown', async (store) => {
      // State before: alice with one session and one audit event.
      const aliceSession = aSession('s-a1', alice.id);
      const before = anAuditEvent('e0', { type: 'user.signed_up', userId: alice.id });
      await store.users.create(alice);
      await store.sessions.create(aliceSession);
      await store.audit.append(before);

      const failure = new Error('work failed half-way');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.create(bob);
          await tx.sessions.create(aSession('s-b1', bob.id));
          await tx.users.updatePasswordHash(alice.id, 'changed', t0Ms + minuteMs);
          await tx.users.setDisabledAt(alice.id, t0Ms + minuteMs, t0Ms + minuteMs);
          await tx.sessions.touch('s-a1', t0Ms + minuteMs);
          await tx.sessions.delete('s-a1');
          await tx.audit.append(anAuditEvent('e1', { type: 'account.disabled', userId: alice.id }));
          throw failure;
        }),
        (error) => error === failure,
      );

      assert.equal(await store.users.findById(bob.id), null);
      assert.equal(await store.users.findByEmail(bob.email), null);
      assert.equal(await store.sessions.findWithUser('s-b1'), null);
      assert.deepEqual(await store.users.findById(alice.id), alice);
      assert.deepEqual(await store.sessions.findWithUser('s-a1'), { session: aliceSession, user: alice });
      assert.deepEqual(await store.audit.list({ limit: 10 }), [before]);
    });

    test('a rolled-back delete of a user brings back the user and their sessions', async (store) => {
      const aliceSession = aSession('s-a1', alice.id);
      await store.users.create(alice);
      await store.sessions.create(aliceSession);

      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.sessions.deleteByUser(alice.id);
          assert.equal(await tx.users.delete(alice.id), true);
          throw new Error('abort');
        }),
        /abort/,
      );

      assert.deepEqual(await store.sessions.findWithUser('s-a1'), { session: aliceSession, user: alice });
    });

    test('a repository first used late in the work belongs to the transaction: it reads the writes before it, and they roll back together', async (store) => {
      // Adapters build a transaction's repositories on first use (core/lazy-store.ts): one built
      // after other writes must still run on the transaction, not on the database beside it.
      const session = aSession('s-b1', bob.id);
      const failure = new Error('abort after the late repositories wrote');
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.create(bob);
          // sessions and audit are used for the first time here, after the write through users.
          await tx.sessions.create(session);
          assert.deepEqual(await tx.sessions.findWithUser('s-b1'), { session, user: bob }, 'the late repository sees the uncommitted user');
          await tx.audit.append(anAuditEvent('e1', { type: 'user.signed_up', userId: bob.id }));
          assert.equal(tx.sessions, tx.sessions, 'a repository is built once per transaction');
          // A nested transaction is the same transaction, with the same repositories.
          await tx.transaction(async (inner) => {
            assert.deepEqual(await inner.users.findById(bob.id), bob);
            await inner.oneTimeTokens.deleteExpired(t0Ms);
          });
          throw failure;
        }),
        (error) => error === failure,
      );
      assert.equal(await store.users.findById(bob.id), null);
      assert.equal(await store.sessions.findWithUser('s-b1'), null);
      assert.deepEqual(await store.audit.list({ limit: 10 }), []);
    });

    test('the store is usable after a rollback and a rolled-back email is free', async (store) => {
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.users.create(bob);
          throw new Error('abort');
        }),
        /abort/,
      );
      const result = await store.transaction(async (tx) => tx.users.create(bob));
      assert.equal(result, 'created');
      assert.deepEqual(await store.users.findById(bob.id), bob);
    });

    test('transactions started together both commit', async (store) => {
      await Promise.all([
        store.transaction(async (tx) => {
          await tx.users.create(alice);
          await tx.sessions.create(aSession('s-a1', alice.id));
        }),
        store.transaction(async (tx) => {
          await tx.users.create(bob);
          await tx.sessions.create(aSession('s-b1', bob.id));
        }),
      ]);
      assert.equal((await store.users.list({ limit: 10 })).length, 2);
      assert.notEqual(await store.sessions.findWithUser('s-a1'), null);
      assert.notEqual(await store.sessions.findWithUser('s-b1'), null);
    });

    test('of transactions started together, the one that throws is rolled back alone', async (store) => {
      const carol = aUser('carol');
      const failure = new Error('the middle one fails');
      const outcomes = await Promise.allSettled([
        store.transaction(async (tx) => {
          await tx.users.create(alice);
          return 'alice';
        }),
        store.transaction(async (tx) => {
          await tx.users.create(bob);
          await tx.sessions.create(aSession('s-b1', bob.id));
          throw failure;
        }),
        store.transaction(async (tx) => {
          await tx.users.create(carol);
          return 'carol';
        }),
      ]);
      assert.deepEqual(outcomes, [
        { status: 'fulfilled', value: 'alice' },
        { status: 'rejected', reason: failure },
        { status: 'fulfilled', value: 'carol' },
      ]);
      assert.deepEqual(await store.users.findById(alice.id), alice);
      assert.deepEqual(await store.users.findById(carol.id), carol);
      assert.equal(await store.users.findById(bob.id), null);
      assert.equal(await store.sessions.findWithUser('s-b1'), null);
    });
  });

  describe('ping', () => {
    test('resolves while the store is open', async (store) => {
      assert.equal(await store.ping(), undefined);
    });
  });
}
