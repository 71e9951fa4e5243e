import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { RefreshTokenRecord, Store } from '../../../src/core/ports.ts';
import { aSecretHash, aSession, aUser, hourMs, minuteMs, readDuringRolledBackTransaction, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function aToken(id: string, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    id,
    familyId: id,
    sessionId: 's-a1',
    clientId: 'web',
    secretHash: aSecretHash(id.length * 13 + id.charCodeAt(id.length - 1)),
    scope: 'notes:read notes:write',
    createdAtMs: t0Ms,
    idleExpiresAtMs: t0Ms + 24 * hourMs,
    familyExpiresAtMs: t0Ms + 30 * 24 * hourMs,
    usedAtMs: null,
    successorId: null,
    dpopJkt: null,
    openIdLogin: null,
    ...overrides,
  };
}

/** Refresh tokens belong to a session (SQL: a foreign key), so every test starts with alice's. */
async function withSession(store: Store): Promise<void> {
  const alice = aUser('alice');
  await store.users.create(alice);
  await store.sessions.create(aSession('s-a1', alice.id));
}

export function refreshTokensContract(open: OpenStore): void {
  const test = storeTest(open);

  // Every operation the refresh grant runs inside its transaction is checked both ways: some
  // adapters take another path inside a transaction (SQLite: prepared statements on the writer).
  for (const where of ['outside a transaction', 'inside a transaction'] as const) {
    const run = <T>(store: Store, work: (s: Store) => Promise<T>): Promise<T> => (where === 'outside a transaction' ? work(store) : store.transaction(work));

    describe(`refresh tokens, ${where}`, () => {
      test('insert then findById returns every field intact, the secret hash byte for byte', async (store) => {
        await withSession(store);
        const token = aToken('rt-1', { scope: '', createdAtMs: t0Ms + 7 });
        await run(store, (s) => s.refreshTokens.insert(token));
        assert.deepEqual(await run(store, (s) => s.refreshTokens.findById('rt-1')), token);
        assert.equal(await run(store, (s) => s.refreshTokens.findById('rt-unknown')), null);
      });

      test('findWithSession reads the token with its session and user, as findById and sessions.findWithUser read them', async (store) => {
        await withSession(store);
        const bob = aUser('bob', { disabledAtMs: t0Ms + 5 });
        await store.users.create(bob);
        await store.sessions.create(aSession('s-b1', bob.id, { amr: [], lastSeenAtMs: t0Ms + 9 }));
        const tokens = [aToken('rt-1'), aToken('rt-2', { sessionId: 's-b1', scope: '', usedAtMs: t0Ms + 1, successorId: 'rt-3', dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' })];
        for (const token of tokens) await store.refreshTokens.insert(token);
        for (const token of tokens) {
          const expected = { token, current: await store.sessions.findWithUser(token.sessionId) };
          assert.notEqual(expected.current, null);
          assert.deepEqual(await run(store, (s) => s.refreshTokens.findWithSession(token.id)), expected, token.id);
        }
        assert.equal(await run(store, (s) => s.refreshTokens.findWithSession('rt-unknown')), null);
        // Inside a transaction it sees the transaction's own writes.
        await store.transaction(async (tx) => {
          await tx.refreshTokens.insert(aToken('rt-4'));
          assert.equal((await tx.refreshTokens.findWithSession('rt-4'))?.token.id, 'rt-4');
        });
      });

      test('a rotation whose successor cannot be stored writes nothing: the token stays unused', async (store) => {
        await withSession(store);
        await store.refreshTokens.insert(aToken('rt-1'));
        await store.refreshTokens.insert(aToken('rt-taken'));
        // The successor's id is taken: its insert fails after the mark, which must not stay.
        await assert.rejects(run(store, (s) => s.refreshTokens.rotate('rt-1', t0Ms + minuteMs, aToken('rt-taken', { familyId: 'rt-1' }))));
        assert.deepEqual(await store.refreshTokens.findById('rt-1'), aToken('rt-1'));
        assert.deepEqual(await store.refreshTokens.findById('rt-taken'), aToken('rt-taken'));
        assert.equal(await run(store, (s) => s.refreshTokens.rotate('rt-1', t0Ms + minuteMs, aToken('rt-2', { familyId: 'rt-1' }))), true);
      });

      test('a DPoP-bound token keeps its key thumbprint', async (store) => {
        await withSession(store);
        const token = aToken('rt-dpop', { dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
        await run(store, (s) => s.refreshTokens.insert(token));
        assert.deepEqual(await run(store, (s) => s.refreshTokens.findById('rt-dpop')), token);
      });

      test('an OpenID family keeps its login (auth_time, acr, amr), on insert and through a rotation', async (store) => {
        await withSession(store);
        const openIdLogin = { authTimeMs: t0Ms - 5 * minuteMs, acr: 'urn:gatehouse:loa:2', amr: ['pwd', 'otp', 'mfa'] };
        const token = aToken('rt-oidc', { scope: 'openid offline_access', openIdLogin });
        await run(store, (s) => s.refreshTokens.insert(token));
        assert.deepEqual(await run(store, (s) => s.refreshTokens.findById('rt-oidc')), token);
        const successor = aToken('rt-oidc-2', { familyId: 'rt-oidc', scope: 'openid offline_access', openIdLogin: { authTimeMs: openIdLogin.authTimeMs, acr: null, amr: [] } });
        assert.equal(await run(store, (s) => s.refreshTokens.rotate('rt-oidc', t0Ms + minuteMs, successor)), true);
        assert.deepEqual(await run(store, (s) => s.refreshTokens.findById('rt-oidc-2')), successor);
      });

      test('markUsed marks an unused token once, pointing at its successor; a second call loses', async (store) => {
        await withSession(store);
        await store.refreshTokens.insert(aToken('rt-1'));
        assert.equal(await run(store, (s) => s.refreshTokens.markUsed('rt-1', t0Ms + minuteMs, 'rt-2')), true);
        assert.equal(await run(store, (s) => s.refreshTokens.markUsed('rt-1', t0Ms + 2 * minuteMs, 'rt-3')), false);
        assert.deepEqual(await store.refreshTokens.findById('rt-1'), aToken('rt-1', { usedAtMs: t0Ms + minuteMs, successorId: 'rt-2' }));
        assert.equal(await run(store, (s) => s.refreshTokens.markUsed('rt-unknown', t0Ms, 'rt-2')), false);
      });

      test('rotate marks the token used and stores its successor in one step, once: the loser writes nothing', async (store) => {
        await withSession(store);
        await store.refreshTokens.insert(aToken('rt-1'));
        const successor = aToken('rt-2', { familyId: 'rt-1', createdAtMs: t0Ms + minuteMs, dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
        const other = aToken('rt-3', { familyId: 'rt-1', createdAtMs: t0Ms + minuteMs });
        assert.equal(await run(store, (s) => s.refreshTokens.rotate('rt-1', t0Ms + minuteMs, successor)), true);
        assert.equal(await run(store, (s) => s.refreshTokens.rotate('rt-1', t0Ms + 2 * minuteMs, other)), false);
        assert.deepEqual(await store.refreshTokens.findById('rt-1'), aToken('rt-1', { usedAtMs: t0Ms + minuteMs, successorId: 'rt-2' }));
        assert.deepEqual(await store.refreshTokens.findById('rt-2'), successor);
        assert.equal(await store.refreshTokens.findById('rt-3'), null);
        assert.equal(await run(store, (s) => s.refreshTokens.rotate('rt-unknown', t0Ms, aToken('rt-4'))), false);
        assert.equal(await store.refreshTokens.findById('rt-4'), null);
      });

      test('of racing rotations of one token, one wins', async (store) => {
        await withSession(store);
        await store.refreshTokens.insert(aToken('rt-1'));
        const results = await Promise.all(['rt-a', 'rt-b', 'rt-c', 'rt-d'].map((id) => run(store, (s) => s.refreshTokens.rotate('rt-1', t0Ms + minuteMs, aToken(id, { familyId: 'rt-1' })))));
        assert.equal(results.filter(Boolean).length, 1);
        const winner = (await store.refreshTokens.findById('rt-1'))?.successorId;
        for (const id of ['rt-a', 'rt-b', 'rt-c', 'rt-d']) assert.equal((await store.refreshTokens.findById(id)) !== null, id === winner, id);
      });

      test('a rotation (mark used, insert the successor) is seen whole by the next reader', async (store) => {
        await withSession(store);
        await store.refreshTokens.insert(aToken('rt-1'));
        const successor = aToken('rt-2', { familyId: 'rt-1', createdAtMs: t0Ms + minuteMs });
        await run(store, async (s) => {
          assert.equal(await s.refreshTokens.markUsed('rt-1', t0Ms + minuteMs, 'rt-2'), true);
          await s.refreshTokens.insert(successor);
          assert.deepEqual(await s.refreshTokens.findById('rt-2'), successor);
        });
        assert.deepEqual(await store.refreshTokens.findById('rt-2'), successor);
        assert.equal((await store.refreshTokens.findById('rt-1'))?.successorId, 'rt-2');
      });
    });
  }

  describe('refresh tokens', () => {
    test('findWithSession outside a transaction never sees a transaction that is still open (it rolls back here)', async (store) => {
      await withSession(store);
      assert.equal(await readDuringRolledBackTransaction(store, (tx) => tx.refreshTokens.insert(aToken('rt-1')), () => store.refreshTokens.findWithSession('rt-1')), null);
      assert.equal(await store.refreshTokens.findWithSession('rt-1'), null);
    });

    test('a rotation in a transaction that throws leaves the token unused and no successor', async (store) => {
      await withSession(store);
      await store.refreshTokens.insert(aToken('rt-1'));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.refreshTokens.markUsed('rt-1', t0Ms + minuteMs, 'rt-2');
          await tx.refreshTokens.insert(aToken('rt-2', { familyId: 'rt-1' }));
          throw new Error('crash between rotation and answer');
        }),
        /crash between/,
      );
      assert.deepEqual(await store.refreshTokens.findById('rt-1'), aToken('rt-1'));
      assert.equal(await store.refreshTokens.findById('rt-2'), null);
    });

    test('deleteFamily removes every token of the family and no other', async (store) => {
      await withSession(store);
      await store.refreshTokens.insert(aToken('rt-1'));
      await store.refreshTokens.insert(aToken('rt-2', { familyId: 'rt-1' }));
      await store.refreshTokens.insert(aToken('rt-9'));
      const sessionId = aToken('rt-1').sessionId;
      assert.equal(await store.refreshTokens.deleteFamily('another-session', 'rt-1'), 0, 'only under its own session');
      assert.equal(await store.refreshTokens.deleteFamily(sessionId, 'rt-1'), 2);
      assert.equal(await store.refreshTokens.findById('rt-1'), null);
      assert.equal(await store.refreshTokens.findById('rt-2'), null);
      assert.notEqual(await store.refreshTokens.findById('rt-9'), null);
      assert.equal(await store.refreshTokens.deleteFamily(sessionId, 'rt-1'), 0);
    });

    test('deleteForClient removes the tokens of that client under those sessions, and no other', async (store) => {
      await withSession(store);
      await store.sessions.create(aSession('s-a2', 'user-alice'));
      await store.sessions.create(aSession('s-a3', 'user-alice'));
      await store.refreshTokens.insert(aToken('rt-1', { clientId: 'app' }));
      await store.refreshTokens.insert(aToken('rt-2', { clientId: 'app', familyId: 'rt-1' }));
      await store.refreshTokens.insert(aToken('rt-3', { clientId: 'app', sessionId: 's-a2' }));
      await store.refreshTokens.insert(aToken('rt-4', { clientId: 'app', sessionId: 's-a3' }));
      await store.refreshTokens.insert(aToken('rt-5', { clientId: 'web' }));
      assert.equal(await store.refreshTokens.deleteForClient([], 'app'), 0);
      assert.equal(await store.refreshTokens.deleteForClient(['s-a1', 's-a2'], 'app'), 3);
      for (const gone of ['rt-1', 'rt-2', 'rt-3']) assert.equal(await store.refreshTokens.findById(gone), null, gone);
      assert.notEqual(await store.refreshTokens.findById('rt-4'), null, 'another session');
      assert.notEqual(await store.refreshTokens.findById('rt-5'), null, 'another client');
    });

    test('deleteExpired removes tokens past their idle or family limit, at the limit included', async (store) => {
      await withSession(store);
      await store.refreshTokens.insert(aToken('rt-idle', { idleExpiresAtMs: t0Ms + hourMs }));
      await store.refreshTokens.insert(aToken('rt-family', { familyExpiresAtMs: t0Ms + hourMs }));
      await store.refreshTokens.insert(aToken('rt-live'));
      assert.equal(await store.refreshTokens.deleteExpired(t0Ms + hourMs), 2);
      assert.deepEqual(
        (await Promise.all(['rt-idle', 'rt-family', 'rt-live'].map((id) => store.refreshTokens.findById(id)))).map((t) => t?.id ?? null),
        [null, null, 'rt-live'],
      );
    });
  });
}
