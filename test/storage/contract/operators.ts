import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { anAuditEvent, aSession, aUser, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function operatorsContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('operators', () => {
    test('a user is no operator until granted; granting again keeps the first time; revoking ends it', async (store) => {
      const alice = aUser('alice');
      await store.users.create(alice);
      assert.equal(await store.operators.operatorSince(alice.id), null);
      assert.equal(await store.operators.setOperatorSince(alice.id, t0Ms), true);
      assert.equal(await store.operators.operatorSince(alice.id), t0Ms);
      assert.equal(await store.operators.setOperatorSince(alice.id, t0Ms + minuteMs), true);
      assert.equal(await store.operators.operatorSince(alice.id), t0Ms, 'a second grant keeps the first');
      assert.deepEqual(await store.users.findById(alice.id), alice, 'the user record itself is unchanged');
      assert.equal(await store.operators.setOperatorSince(alice.id, null), true);
      assert.equal(await store.operators.operatorSince(alice.id), null);
    });

    test('an unknown user cannot be granted, and is no operator', async (store) => {
      assert.equal(await store.operators.setOperatorSince('user-nobody', t0Ms), false);
      assert.equal(await store.operators.operatorSince('user-nobody'), null);
      assert.deepEqual(await store.operators.list(), []);
    });

    test('list gives every operator by email; a deleted user is gone from it', async (store) => {
      for (const name of ['carol', 'alice', 'bob']) await store.users.create(aUser(name));
      await store.operators.setOperatorSince('user-carol', t0Ms + 1);
      await store.operators.setOperatorSince('user-alice', t0Ms + 2);
      assert.deepEqual(await store.operators.list(), [
        { userId: 'user-alice', email: 'alice@example.com', sinceMs: t0Ms + 2 },
        { userId: 'user-carol', email: 'carol@example.com', sinceMs: t0Ms + 1 },
      ]);
      await store.users.delete('user-alice');
      assert.deepEqual(await store.operators.list(), [{ userId: 'user-carol', email: 'carol@example.com', sinceMs: t0Ms + 1 }]);
      assert.equal(await store.operators.operatorSince('user-alice'), null);
    });

    test('console activity is per session, and gone with the session', async (store) => {
      await store.users.create(aUser('alice'));
      await store.sessions.create(aSession('s-1', 'user-alice'));
      await store.sessions.create(aSession('s-2', 'user-alice'));
      assert.equal(await store.consoleActivity.lastUse('s-1'), null);
      await store.consoleActivity.recordUse('s-1', t0Ms + minuteMs);
      assert.equal(await store.consoleActivity.lastUse('s-1'), t0Ms + minuteMs);
      assert.equal(await store.consoleActivity.lastUse('s-2'), null);
      await store.consoleActivity.recordUse('s-1', t0Ms + 2 * minuteMs);
      assert.equal(await store.consoleActivity.lastUse('s-1'), t0Ms + 2 * minuteMs);
      await store.sessions.delete('s-1');
      assert.equal(await store.consoleActivity.lastUse('s-1'), null);
      await store.consoleActivity.recordUse('s-gone', t0Ms);
      assert.equal(await store.consoleActivity.lastUse('s-gone'), null);
    });

    test('an audit entry keeps the operator who acted', async (store) => {
      const event = anAuditEvent('e1', { type: 'account.disabled', userId: 'user-bob', actorId: 'user-alice' });
      await store.audit.append(event);
      assert.deepEqual(await store.audit.list({ limit: 1 }), [event]);
    });
  });
}
