import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { aSession, aUser, hourMs, minuteMs, sortedById, sortedStrings, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function sessionsContract(open: OpenStore): void {
  const test = storeTest(open);
  const alice = aUser('alice');
  const bob = aUser('bob');

  describe('sessions', () => {
    test('findWithUser returns the session joined with its user, hash bytes intact', async (store) => {
      await store.users.create(alice);
      const session = aSession('s1', alice.id);
      await store.sessions.create(session);

      const found = await store.sessions.findWithUser('s1');
      assert.deepEqual(found, { session, user: alice });
      // deepEqual also checks the prototype: a Buffer or an array would not pass.
      assert.equal(Object.getPrototypeOf(found?.session.secretHash), Uint8Array.prototype);
      assert.deepEqual(found?.session.secretHash, session.secretHash);
    });

    test('findWithUser returns null for an unknown id', async (store) => {
      await store.users.create(alice);
      await store.sessions.create(aSession('s1', alice.id));
      assert.equal(await store.sessions.findWithUser('s-unknown'), null);
    });

    test('findWithUser reflects the current user row', async (store) => {
      // The session check relies on this to refuse a disabled account at once.
      await store.users.create(alice);
      await store.sessions.create(aSession('s1', alice.id));
      await store.users.setDisabledAt(alice.id, t0Ms + 1, t0Ms + 1);
      const found = await store.sessions.findWithUser('s1');
      assert.equal(found?.user.disabledAtMs, t0Ms + 1);
    });

    test('create rejects a duplicate id and a session for an unknown user', async (store) => {
      await store.users.create(alice);
      const original = aSession('s1', alice.id);
      await store.sessions.create(original);
      await assert.rejects(store.sessions.create(aSession('s1', alice.id, { ip: '198.51.100.1' })));
      await assert.rejects(store.sessions.create(aSession('s2', 'user-nobody')));
      assert.deepEqual(await store.sessions.findWithUser('s1'), { session: original, user: alice });
      assert.equal(await store.sessions.findWithUser('s2'), null);
    });

    test('authTimeMs and amr round-trip, empty amr included; recordAuthentication moves only them (SEC-100)', async (store) => {
      await store.users.create(alice);
      const session = aSession('s1', alice.id, { authTimeMs: t0Ms - minuteMs, amr: ['fed'] });
      const legacy = aSession('s2', alice.id, { amr: [] });
      await store.sessions.create(session);
      await store.sessions.create(legacy);
      assert.deepEqual((await store.sessions.findWithUser('s1'))?.session, session);
      assert.deepEqual((await store.sessions.findWithUser('s2'))?.session, legacy);
      await store.sessions.recordAuthentication('s1', t0Ms + 3 * minuteMs, ['fed', 'otp']);
      assert.deepEqual((await store.sessions.findWithUser('s1'))?.session, { ...session, authTimeMs: t0Ms + 3 * minuteMs, amr: ['fed', 'otp'] });
      assert.deepEqual((await store.sessions.listByUser(alice.id)).find((s) => s.id === 's2'), legacy);
      await store.sessions.recordAuthentication('s-unknown', t0Ms, ['pwd']);
    });

    test('touch moves lastSeenAtMs and nothing else', async (store) => {
      await store.users.create(alice);
      const session = aSession('s1', alice.id);
      const other = aSession('s2', alice.id);
      await store.sessions.create(session);
      await store.sessions.create(other);
      await store.sessions.touch('s1', t0Ms + 5 * minuteMs);
      assert.deepEqual((await store.sessions.findWithUser('s1'))?.session, { ...session, lastSeenAtMs: t0Ms + 5 * minuteMs });
      assert.deepEqual((await store.sessions.findWithUser('s2'))?.session, other);
      await store.sessions.touch('s-unknown', t0Ms);
    });

    test('listByUser returns exactly that user’s sessions', async (store) => {
      await store.users.create(alice);
      await store.users.create(bob);
      const a1 = aSession('s-a1', alice.id);
      const a2 = aSession('s-a2', alice.id, { userAgent: 'curl/8', ip: '2001:db8::1' });
      await store.sessions.create(a1);
      await store.sessions.create(aSession('s-b1', bob.id));
      await store.sessions.create(a2);
      assert.deepEqual(sortedById(await store.sessions.listByUser(alice.id)), [a1, a2]);
      assert.deepEqual(await store.sessions.listByUser('user-nobody'), []);
    });

    test('delete removes one session and says whether it existed', async (store) => {
      await store.users.create(alice);
      const keep = aSession('s2', alice.id);
      await store.sessions.create(aSession('s1', alice.id));
      await store.sessions.create(keep);
      assert.equal(await store.sessions.delete('s1'), true);
      assert.equal(await store.sessions.findWithUser('s1'), null);
      assert.equal(await store.sessions.delete('s1'), false);
      assert.deepEqual(await store.sessions.listByUser(alice.id), [keep]);
      assert.deepEqual(await store.users.findById(alice.id), alice);
    });

    test('deleteByUser removes every session of the user and returns their ids', async (store) => {
      await store.users.create(alice);
      await store.users.create(bob);
      for (const id of ['s-a1', 's-a2', 's-a3']) await store.sessions.create(aSession(id, alice.id));
      const bobSession = aSession('s-b1', bob.id);
      await store.sessions.create(bobSession);

      assert.deepEqual(sortedStrings(await store.sessions.deleteByUser(alice.id)), ['s-a1', 's-a2', 's-a3']);
      assert.deepEqual(await store.sessions.listByUser(alice.id), []);
      assert.deepEqual(await store.sessions.listByUser(bob.id), [bobSession]);
      assert.deepEqual(await store.sessions.deleteByUser(alice.id), []);
      assert.deepEqual(await store.sessions.deleteByUser('user-nobody'), []);
    });

    test('deleteByUser with exceptId keeps that one session', async (store) => {
      await store.users.create(alice);
      await store.users.create(bob);
      const current = aSession('s-a2', alice.id);
      await store.sessions.create(aSession('s-a1', alice.id));
      await store.sessions.create(current);
      await store.sessions.create(aSession('s-a3', alice.id));
      await store.sessions.create(aSession('s-b1', bob.id));

      assert.deepEqual(sortedStrings(await store.sessions.deleteByUser(alice.id, 's-a2')), ['s-a1', 's-a3']);
      assert.deepEqual(await store.sessions.listByUser(alice.id), [current]);
      assert.equal((await store.sessions.listByUser(bob.id)).length, 1);
      // exceptId only spares; another user's session id spares nothing of bob's.
      assert.deepEqual(await store.sessions.deleteByUser(bob.id, 's-a2'), ['s-b1']);
    });

    test('deleteExpired removes sessions past their absolute limit, at the limit included', async (store) => {
      await store.users.create(alice);
      const idleTimeoutMs = 24 * hourMs;
      const nowMs = t0Ms + hourMs;
      // lastSeen is recent for all three, so only the absolute limit can remove them.
      const recent = { lastSeenAtMs: nowMs - minuteMs };
      await store.sessions.create(aSession('s-past', alice.id, { ...recent, expiresAtMs: nowMs - 1 }));
      await store.sessions.create(aSession('s-at', alice.id, { ...recent, expiresAtMs: nowMs }));
      const live = aSession('s-live', alice.id, { ...recent, expiresAtMs: nowMs + 1 });
      await store.sessions.create(live);

      assert.equal(await store.sessions.deleteExpired(nowMs, idleTimeoutMs), 2);
      assert.deepEqual(await store.sessions.listByUser(alice.id), [live]);
      assert.equal(await store.sessions.deleteExpired(nowMs, idleTimeoutMs), 0);
    });

    test('deleteExpired removes sessions idle for idleTimeoutMs or longer', async (store) => {
      await store.users.create(alice);
      const idleTimeoutMs = 30 * minuteMs;
      const nowMs = t0Ms + 10 * hourMs;
      // expiresAt is far away for all three, so only the idle limit can remove them.
      const far = { expiresAtMs: nowMs + 100 * hourMs };
      await store.sessions.create(aSession('s-stale', alice.id, { ...far, lastSeenAtMs: nowMs - idleTimeoutMs - 1 }));
      await store.sessions.create(aSession('s-edge', alice.id, { ...far, lastSeenAtMs: nowMs - idleTimeoutMs }));
      const active = aSession('s-active', alice.id, { ...far, lastSeenAtMs: nowMs - idleTimeoutMs + 1 });
      await store.sessions.create(active);

      assert.equal(await store.sessions.deleteExpired(nowMs, idleTimeoutMs), 2);
      assert.deepEqual(await store.sessions.listByUser(alice.id), [active]);
    });

    test('listExpired names the sessions past their absolute or idle limit, limits included, up to the limit given', async (store) => {
      await store.users.create(alice);
      const idleTimeoutMs = 30 * minuteMs;
      const nowMs = t0Ms + 10 * hourMs;
      const far = { expiresAtMs: nowMs + 100 * hourMs };
      await store.sessions.create(aSession('s-idle', alice.id, { ...far, lastSeenAtMs: nowMs - idleTimeoutMs }));
      await store.sessions.create(aSession('s-over', alice.id, { lastSeenAtMs: nowMs - minuteMs, expiresAtMs: nowMs }));
      await store.sessions.create(aSession('s-live', alice.id, { ...far, lastSeenAtMs: nowMs - idleTimeoutMs + 1 }));

      assert.deepEqual((await store.sessions.listExpired(nowMs, idleTimeoutMs, 10)).sort(), ['s-idle', 's-over']);
      assert.equal((await store.sessions.listExpired(nowMs, idleTimeoutMs, 1)).length, 1);
      assert.equal((await store.sessions.listByUser(alice.id)).length, 3, 'listing deletes nothing');
    });

    test('touch keeps an active session from idle expiry', async (store) => {
      await store.users.create(alice);
      const idleTimeoutMs = 30 * minuteMs;
      await store.sessions.create(aSession('s1', alice.id, { lastSeenAtMs: t0Ms }));
      await store.sessions.touch('s1', t0Ms + 20 * minuteMs);
      assert.equal(await store.sessions.deleteExpired(t0Ms + 40 * minuteMs, idleTimeoutMs), 0);
      assert.equal(await store.sessions.deleteExpired(t0Ms + 50 * minuteMs, idleTimeoutMs), 1);
    });
  });
}
