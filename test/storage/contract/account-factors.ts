import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { OneTimeTokenRecord, RecoveryCodeRecord, Store } from '../../../src/core/ports.ts';
import { aSecretHash, aUser, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function aToken(id: string, userId: string, overrides: Partial<OneTimeTokenRecord> = {}): OneTimeTokenRecord {
  return { id, userId, purpose: 'password_reset', email: 'x@example.com', secretHash: aSecretHash(id.length), createdAtMs: t0Ms, expiresAtMs: t0Ms + 30 * minuteMs, usedAtMs: null, ...overrides };
}

function aRecoveryCode(id: string, userId: string, seed: number): RecoveryCodeRecord {
  return { id, userId, codeHash: aSecretHash(seed), createdAtMs: t0Ms, usedAtMs: null };
}

async function withUsers(store: Store, ...names: string[]): Promise<void> {
  for (const name of names) assert.equal(await store.users.create(aUser(name)), 'created');
}

/** Verification and reset links, verified addresses, emailed codes, TOTP credentials and recovery codes. */
export function accountFactorsContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('one-time tokens', () => {
    test('insert and find round-trip every field, bytes included', async (store) => {
      await withUsers(store, 'ada');
      const token = aToken('t1', 'user-ada', { purpose: 'verify_email', email: 'ada@example.com' });
      await store.oneTimeTokens.insert(token);
      assert.deepEqual(await store.oneTimeTokens.findById('t1'), token);
      assert.equal(await store.oneTimeTokens.findById('nope'), null);
    });

    test('consume succeeds once, never after expiry', async (store) => {
      await withUsers(store, 'ada');
      await store.oneTimeTokens.insert(aToken('t1', 'user-ada'));
      await store.oneTimeTokens.insert(aToken('t2', 'user-ada'));
      assert.equal(await store.oneTimeTokens.consume('t1', t0Ms + minuteMs), true);
      assert.equal(await store.oneTimeTokens.consume('t1', t0Ms + minuteMs), false, 'single use');
      assert.equal((await store.oneTimeTokens.findById('t1'))?.usedAtMs, t0Ms + minuteMs);
      assert.equal(await store.oneTimeTokens.consume('t2', t0Ms + 30 * minuteMs), false, 'expired at expiresAtMs');
      assert.equal(await store.oneTimeTokens.consume('nope', t0Ms), false);
    });

    test('concurrent consumes of one token: exactly one wins', async (store) => {
      await withUsers(store, 'ada');
      await store.oneTimeTokens.insert(aToken('t1', 'user-ada'));
      const results = await Promise.all(Array.from({ length: 5 }, () => store.oneTimeTokens.consume('t1', t0Ms + 1)));
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('deleteByUser removes one purpose of one user; deleteExpired the expired; deleting the user removes the rest', async (store) => {
      await withUsers(store, 'ada', 'bob');
      await store.oneTimeTokens.insert(aToken('r1', 'user-ada'));
      await store.oneTimeTokens.insert(aToken('v1', 'user-ada', { purpose: 'verify_email', expiresAtMs: t0Ms + 24 * 60 * minuteMs }));
      await store.oneTimeTokens.insert(aToken('r2', 'user-bob'));
      assert.equal(await store.oneTimeTokens.deleteByUser('user-ada', 'password_reset'), 1);
      assert.equal(await store.oneTimeTokens.findById('r1'), null);
      assert.ok(await store.oneTimeTokens.findById('v1'));
      assert.equal(await store.oneTimeTokens.deleteExpired(t0Ms + 30 * minuteMs), 1);
      assert.equal(await store.oneTimeTokens.findById('r2'), null);
      assert.equal(await store.users.delete('user-ada'), true);
      assert.equal(await store.oneTimeTokens.findById('v1'), null);
    });
  });

  describe('email verifications', () => {
    test('unverified is null; the first proof is kept; it goes with the user', async (store) => {
      await withUsers(store, 'ada');
      assert.equal(await store.emailVerifications.find('user-ada'), null);
      await store.emailVerifications.markVerified('user-ada', 'ada@example.com', t0Ms);
      await store.emailVerifications.markVerified('user-ada', 'ada@example.com', t0Ms + 5);
      assert.deepEqual(await store.emailVerifications.find('user-ada'), { email: 'ada@example.com', verifiedAtMs: t0Ms });
      await store.users.delete('user-ada');
      assert.equal(await store.emailVerifications.find('user-ada'), null);
    });

    test('replaceVerified records a new proven address over the old one (a confirmed change of address)', async (store) => {
      await withUsers(store, 'ada');
      await store.emailVerifications.replaceVerified('user-ada', 'ada-new@example.com', t0Ms);
      assert.deepEqual(await store.emailVerifications.find('user-ada'), { email: 'ada-new@example.com', verifiedAtMs: t0Ms });
      await store.emailVerifications.replaceVerified('user-ada', 'ada-newer@example.com', t0Ms + 5);
      assert.deepEqual(await store.emailVerifications.find('user-ada'), { email: 'ada-newer@example.com', verifiedAtMs: t0Ms + 5 });
    });
  });

  describe('email codes', () => {
    test('put replaces the earlier code; consume needs the current hash and works once', async (store) => {
      await withUsers(store, 'ada');
      const first = { userId: 'user-ada', purpose: 'login' as const, codeHash: aSecretHash(1), createdAtMs: t0Ms, expiresAtMs: t0Ms + 10 * minuteMs };
      await store.emailCodes.put(first);
      assert.deepEqual(await store.emailCodes.find('user-ada'), first);
      const second = { ...first, purpose: 'reauth' as const, codeHash: aSecretHash(2), createdAtMs: t0Ms + 1, expiresAtMs: t0Ms + 11 * minuteMs };
      await store.emailCodes.put(second);
      assert.deepEqual(await store.emailCodes.find('user-ada'), second);
      assert.equal(await store.emailCodes.consume('user-ada', aSecretHash(1)), false, 'the replaced code is void');
      const results = await Promise.all([store.emailCodes.consume('user-ada', aSecretHash(2)), store.emailCodes.consume('user-ada', aSecretHash(2))]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal(await store.emailCodes.find('user-ada'), null);
    });

    test('deleteExpired removes codes at their expiry', async (store) => {
      await withUsers(store, 'ada', 'bob');
      await store.emailCodes.put({ userId: 'user-ada', purpose: 'login', codeHash: aSecretHash(1), createdAtMs: t0Ms, expiresAtMs: t0Ms + minuteMs });
      await store.emailCodes.put({ userId: 'user-bob', purpose: 'login', codeHash: aSecretHash(2), createdAtMs: t0Ms, expiresAtMs: t0Ms + 2 * minuteMs });
      assert.equal(await store.emailCodes.deleteExpired(t0Ms + minuteMs), 1);
      assert.equal(await store.emailCodes.find('user-ada'), null);
      assert.ok(await store.emailCodes.find('user-bob'));
    });
  });

  describe('TOTP credentials', () => {
    const pending = { userId: 'user-ada', secretJwe: 'jwe-1', createdAtMs: t0Ms, confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: 's-enrolling' };

    test('a pending enrolment can be restarted; a confirmed one cannot be overwritten', async (store) => {
      await withUsers(store, 'ada');
      assert.equal(await store.totp.putPending(pending), true);
      assert.equal(await store.totp.putPending({ ...pending, secretJwe: 'jwe-2', enrolmentSessionId: 's-other' }), true);
      assert.equal((await store.totp.find('user-ada'))?.secretJwe, 'jwe-2');
      assert.equal((await store.totp.find('user-ada'))?.enrolmentSessionId, 's-other', 'a restart belongs to the session that restarted it');
      assert.equal(await store.totp.confirm('user-ada', t0Ms + 1, 100), true);
      assert.equal(await store.totp.confirm('user-ada', t0Ms + 2, 101), false, 'already confirmed');
      assert.equal(await store.totp.putPending({ ...pending, secretJwe: 'jwe-3' }), false);
      assert.deepEqual(await store.totp.find('user-ada'), { ...pending, secretJwe: 'jwe-2', confirmedAtMs: t0Ms + 1, lastUsedStep: 100, enrolmentSessionId: null });
    });

    test('useStep accepts only a later step than the last used, once, even concurrently', async (store) => {
      await withUsers(store, 'ada');
      await store.totp.putPending(pending);
      assert.equal(await store.totp.useStep('user-ada', 5), false, 'not confirmed yet');
      await store.totp.confirm('user-ada', t0Ms, 100);
      assert.equal(await store.totp.useStep('user-ada', 100), false, 'the confirming step is used');
      assert.equal(await store.totp.useStep('user-ada', 99), false, 'an older step');
      const results = await Promise.all([store.totp.useStep('user-ada', 101), store.totp.useStep('user-ada', 101), store.totp.useStep('user-ada', 101)]);
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.totp.find('user-ada'))?.lastUsedStep, 101);
      assert.equal(await store.totp.delete('user-ada'), true);
      assert.equal(await store.totp.find('user-ada'), null);
      assert.equal(await store.totp.delete('user-ada'), false);
    });

    test('goes with the user', async (store) => {
      await withUsers(store, 'ada');
      await store.totp.putPending(pending);
      await store.users.delete('user-ada');
      assert.equal(await store.totp.find('user-ada'), null);
    });
  });

  describe('recovery codes', () => {
    test('replace swaps the whole set; consume is single use; deleteByUser clears', async (store) => {
      await withUsers(store, 'ada', 'bob');
      await store.recoveryCodes.replace('user-ada', [aRecoveryCode('a1', 'user-ada', 1), aRecoveryCode('a2', 'user-ada', 2)]);
      await store.recoveryCodes.replace('user-bob', [aRecoveryCode('b1', 'user-bob', 3)]);
      const listed = (await store.recoveryCodes.listByUser('user-ada')).sort((x, y) => (x.id < y.id ? -1 : 1));
      assert.deepEqual(listed, [aRecoveryCode('a1', 'user-ada', 1), aRecoveryCode('a2', 'user-ada', 2)]);
      const results = await Promise.all([store.recoveryCodes.consume('a1', t0Ms), store.recoveryCodes.consume('a1', t0Ms)]);
      assert.deepEqual(results.sort(), [false, true]);
      assert.equal((await store.recoveryCodes.listByUser('user-ada')).find((c) => c.id === 'a1')?.usedAtMs, t0Ms);
      await store.recoveryCodes.replace('user-ada', [aRecoveryCode('a3', 'user-ada', 4)]);
      assert.deepEqual((await store.recoveryCodes.listByUser('user-ada')).map((c) => c.id), ['a3']);
      assert.equal(await store.recoveryCodes.deleteByUser('user-ada'), 1);
      assert.deepEqual(await store.recoveryCodes.listByUser('user-ada'), []);
      assert.equal((await store.recoveryCodes.listByUser('user-bob')).length, 1);
      await store.users.delete('user-bob');
      assert.deepEqual(await store.recoveryCodes.listByUser('user-bob'), []);
    });
  });
}
