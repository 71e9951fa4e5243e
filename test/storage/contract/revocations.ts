import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function revocationsContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('revocations', () => {
    test('append assigns increasing seq; listAfter returns entries after a seq, oldest first, up to a limit', async (store) => {
      assert.equal(await store.revocations.latestSeq(), 0);
      await store.revocations.append({ sid: 's1', jti: null, expiresAtMs: t0Ms + 5 * minuteMs, createdAtMs: t0Ms, reason: 'logout' });
      await store.revocations.append({ sid: null, jti: 'j1', expiresAtMs: t0Ms + 5 * minuteMs, createdAtMs: t0Ms, reason: 'token_revoked' });
      await store.revocations.append({ sid: 's2', jti: null, expiresAtMs: t0Ms + 5 * minuteMs, createdAtMs: t0Ms + 1, reason: 'session_revoked' });
      const all = await store.revocations.listAfter(0, 10);
      assert.deepEqual(all.map((r) => [r.sid, r.jti, r.reason]), [['s1', null, 'logout'], [null, 'j1', 'token_revoked'], ['s2', null, 'session_revoked']]);
      assert.ok(all[0]!.seq < all[1]!.seq && all[1]!.seq < all[2]!.seq);
      assert.equal(await store.revocations.latestSeq(), all[2]!.seq);
      assert.deepEqual((await store.revocations.listAfter(all[0]!.seq, 10)).map((r) => r.seq), [all[1]!.seq, all[2]!.seq]);
      assert.deepEqual((await store.revocations.listAfter(0, 1)).map((r) => r.seq), [all[0]!.seq]);
      assert.deepEqual(await store.revocations.listAfter(all[2]!.seq, 10), []);
      assert.equal(all[1]!.expiresAtMs, t0Ms + 5 * minuteMs);
    });

    test('hasJti finds a revoked access token by jti only', async (store) => {
      await store.revocations.append({ sid: null, jti: 'j1', expiresAtMs: t0Ms + minuteMs, createdAtMs: t0Ms, reason: 'token_revoked' });
      await store.revocations.append({ sid: 'j2', jti: null, expiresAtMs: t0Ms + minuteMs, createdAtMs: t0Ms, reason: 'logout' });
      assert.equal(await store.revocations.hasJti('j1'), true);
      assert.equal(await store.revocations.hasJti('j2'), false, 'a sid is not a jti');
      assert.equal(await store.revocations.hasJti('nope'), false);
    });

    test('sessionEndReason gives the newest reason recorded for a session id, and null for none', async (store) => {
      await store.revocations.append({ sid: 's1', jti: null, expiresAtMs: t0Ms + minuteMs, createdAtMs: t0Ms, reason: 'password_changed' });
      await store.revocations.append({ sid: 's1', jti: null, expiresAtMs: t0Ms + minuteMs, createdAtMs: t0Ms + 1, reason: 'session_revoked' });
      await store.revocations.append({ sid: null, jti: 's2', expiresAtMs: t0Ms + minuteMs, createdAtMs: t0Ms, reason: 'token_revoked' });
      assert.equal(await store.revocations.sessionEndReason('s1'), 'session_revoked');
      assert.equal(await store.revocations.sessionEndReason('s2'), null, 'a jti is not a sid');
      assert.equal(await store.revocations.sessionEndReason('nope'), null);
    });

    test('deleteExpired drops entries no token can need any more; seq never goes backwards', async (store) => {
      await store.revocations.append({ sid: 'old', jti: null, expiresAtMs: t0Ms + minuteMs, createdAtMs: t0Ms, reason: 'logout' });
      await store.revocations.append({ sid: 'new', jti: null, expiresAtMs: t0Ms + 10 * minuteMs, createdAtMs: t0Ms, reason: 'logout' });
      const before = await store.revocations.latestSeq();
      assert.equal(await store.revocations.deleteExpired(t0Ms + minuteMs), 1);
      assert.deepEqual((await store.revocations.listAfter(0, 10)).map((r) => r.sid), ['new']);
      await store.revocations.append({ sid: 'newer', jti: null, expiresAtMs: t0Ms + 10 * minuteMs, createdAtMs: t0Ms, reason: 'logout' });
      assert.ok((await store.revocations.latestSeq()) > before);
    });
  });
}
