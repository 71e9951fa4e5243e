import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AuthorizationCodeRecord, AuthorizationParams, PendingAuthorization, Store } from '../../../src/core/ports.ts';
import { clientRecord } from '../../support/client-record.ts';
import { aSecretHash, aUser, minuteMs, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

const params: AuthorizationParams = {
  clientId: 'rp',
  redirectUri: 'https://rp.example.com/cb?a=1',
  scope: 'openid email',
  state: 'st «ü»',
  nonce: 'n-1',
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  responseMode: 'form_post',
  prompt: ['login', 'consent'],
  maxAgeSeconds: 0,
  loginHint: 'ada@example.com',
  idTokenHint: null,
  uiLocales: 'de fr',
  acrValues: null,
  idTokenClaims: ['email', 'locale'],
};

/** A code (its hash from `seed`), as the storage tests use it. */
export function aCode(seed: number, overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  return {
    codeHash: aSecretHash(seed),
    clientId: 'rp',
    userId: 'user-ada',
    sessionId: 's1',
    redirectUri: 'https://rp.example.com/cb',
    scope: 'openid offline_access',
    nonce: 'n',
    codeChallenge: null,
    authTimeMs: t0Ms - minuteMs,
    amr: ['pwd', 'otp'],
    acr: '1',
    idTokenClaims: [],
    dpopJkt: null,
    createdAtMs: t0Ms,
    expiresAtMs: t0Ms + minuteMs,
    usedAtMs: null,
    refreshFamilyId: null,
    accessTokenJti: null,
    accessTokenExpiresAtMs: null,
    ...overrides,
  };
}

const rp = clientRecord({ id: 'rp', name: 'RP', type: 'confidential', secretHash: null, grantTypes: ['authorization_code'], audience: 'rp', refreshTokenDelivery: 'body', createdAtMs: t0Ms }, { redirectUris: ['https://rp.example.com/cb'] });

export function openIdProviderContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('pending authorizations', () => {
    test('insert, find with every parameter intact, delete once, expire', async (store) => {
      const request: PendingAuthorization = { id: 'p1', params, loginAfterMs: t0Ms, createdAtMs: t0Ms, expiresAtMs: t0Ms + 10 * minuteMs };
      await store.pendingAuthorizations.insert(request);
      await store.pendingAuthorizations.insert({ ...request, id: 'p2', loginAfterMs: null, expiresAtMs: t0Ms + minuteMs });
      assert.deepEqual(await store.pendingAuthorizations.find('p1'), request);
      assert.equal((await store.pendingAuthorizations.find('p2'))?.loginAfterMs, null);
      assert.equal(await store.pendingAuthorizations.find('P1'), null);
      assert.equal(await store.pendingAuthorizations.delete('p1'), true);
      assert.equal(await store.pendingAuthorizations.delete('p1'), false, 'single use');
      assert.equal(await store.pendingAuthorizations.deleteExpired(t0Ms + minuteMs), 1);
      assert.equal(await store.pendingAuthorizations.find('p2'), null);
    });
  });

  describe('authorization codes', () => {
    const issued = { refreshFamilyId: 'fam', accessTokenJti: 'jti', accessTokenExpiresAtMs: t0Ms + 5 * minuteMs };
    // The code flow runs these both ways: some adapters take another path inside a transaction
    // (SQLite: prepared statements on the writer) and outside one (SQLite: the read-only
    // connection for lookups, the group commit for an insert).
    for (const where of ['outside a transaction', 'inside a transaction'] as const) {
      const run = <T>(store: Store, work: (s: Store) => Promise<T>): Promise<T> => (where === 'outside a transaction' ? work(store) : store.transaction(work));

      test(`insert and find by hash, every field intact; an unknown hash is null; a hash is stored once (${where})`, async (store) => {
        const code = aCode(1, { codeChallenge: 'abc', nonce: null, acr: null, idTokenClaims: ['email', 'name'], dpopJkt: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs' });
        const other = aCode(3, { amr: [], scope: 'openid' });
        await run(store, (s) => s.authorizationCodes.insert(code));
        await run(store, (s) => s.authorizationCodes.insert(other));
        assert.deepEqual(await run(store, (s) => s.authorizationCodes.findByHash(aSecretHash(1))), code);
        assert.deepEqual(await store.authorizationCodes.findByHash(aSecretHash(3)), other);
        assert.deepEqual(await store.transaction((tx) => tx.authorizationCodes.findByHash(aSecretHash(3))), other);
        assert.equal(await run(store, (s) => s.authorizationCodes.findByHash(aSecretHash(2))), null);
        await assert.rejects(run(store, (s) => s.authorizationCodes.insert(aCode(1))));
        assert.deepEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), code, 'the refused duplicate changed nothing');
      });

      test(`consume spends a code once and records what the exchange issued; a used or unknown code is refused (${where})`, async (store) => {
        await store.authorizationCodes.insert(aCode(1));
        assert.equal(await run(store, (s) => s.authorizationCodes.consume(aSecretHash(1), t0Ms + 1, issued)), true);
        assert.deepEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), aCode(1, { usedAtMs: t0Ms + 1, ...issued }));
        assert.equal(await run(store, (s) => s.authorizationCodes.consume(aSecretHash(1), t0Ms + 2, { ...issued, accessTokenJti: 'other' })), false);
        assert.deepEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), aCode(1, { usedAtMs: t0Ms + 1, ...issued }), 'the loser changed nothing');
        assert.equal(await run(store, (s) => s.authorizationCodes.consume(aSecretHash(9), t0Ms, issued)), false);
      });
    }

    test('of two exchanges racing, exactly one consumes the code, and its record is the one kept', async (store) => {
      await store.authorizationCodes.insert(aCode(1));
      const results = await Promise.all(['jti-a', 'jti-b', 'jti-c'].map((jti, i) => store.transaction((tx) => tx.authorizationCodes.consume(aSecretHash(1), t0Ms + i, { ...issued, accessTokenJti: jti }))));
      assert.deepEqual(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      const read = await store.authorizationCodes.findByHash(aSecretHash(1));
      assert.equal(read?.accessTokenJti, ['jti-a', 'jti-b', 'jti-c'][winner]);
      assert.equal(read?.usedAtMs, t0Ms + winner);
    });

    test('a consumption in a transaction that throws leaves the code unused', async (store) => {
      await store.authorizationCodes.insert(aCode(1));
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await tx.authorizationCodes.consume(aSecretHash(1), t0Ms, issued), true);
          throw new Error('the session has ended');
        }),
        /the session has ended/,
      );
      assert.deepEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), aCode(1));
    });

    test('codes issued outside a transaction while others run are all stored', async (store) => {
      await Promise.all([
        store.authorizationCodes.insert(aCode(1)),
        store.transaction((tx) => tx.authorizationCodes.insert(aCode(2))),
        store.authorizationCodes.insert(aCode(3)),
        store.transaction((tx) => tx.authorizationCodes.consume(aSecretHash(2), t0Ms, issued)),
      ]);
      for (const seed of [1, 2, 3]) assert.notEqual(await store.authorizationCodes.findByHash(aSecretHash(seed)), null, `code ${seed}`);
    });

    test('deleteExpired keeps a used code until the access token of its first exchange has expired', async (store) => {
      await store.authorizationCodes.insert(aCode(1));
      await store.authorizationCodes.insert(aCode(2));
      await store.authorizationCodes.consume(aSecretHash(1), t0Ms, { refreshFamilyId: null, accessTokenJti: 'j', accessTokenExpiresAtMs: t0Ms + 5 * minuteMs });
      assert.equal(await store.authorizationCodes.deleteExpired(t0Ms + minuteMs), 1, 'the unused code goes at its expiry');
      assert.notEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), null);
      assert.equal(await store.authorizationCodes.deleteExpired(t0Ms + 5 * minuteMs), 1);
      assert.equal(await store.authorizationCodes.findByHash(aSecretHash(1)), null);
    });

    test('a used code whose access token expires before the code does is kept until the code expires', async (store) => {
      await store.authorizationCodes.insert(aCode(1));
      await store.authorizationCodes.consume(aSecretHash(1), t0Ms, { refreshFamilyId: null, accessTokenJti: 'j', accessTokenExpiresAtMs: t0Ms + 1000 });
      assert.equal(await store.authorizationCodes.deleteExpired(t0Ms + 2000), 0);
      assert.equal(await store.authorizationCodes.deleteExpired(t0Ms + minuteMs), 1);
    });
  });

  describe('consents', () => {
    test('upsert, find, replace, list by user, delete; they go with the user and with the client', async (store) => {
      await store.users.create(aUser('ada'));
      await store.users.create(aUser('bob'));
      await store.clients.create(rp);
      await store.clients.create({ ...rp, id: 'rp2' });
      const first = { userId: 'user-ada', clientId: 'rp', scopes: ['openid', 'email'], grantedAtMs: t0Ms, updatedAtMs: t0Ms };
      await store.consents.upsert(first);
      assert.deepEqual(await store.consents.find('user-ada', 'rp'), first);
      const wider = { ...first, scopes: ['openid', 'email', 'profile'], updatedAtMs: t0Ms + 5 };
      await store.consents.upsert(wider);
      assert.deepEqual(await store.consents.find('user-ada', 'rp'), wider);
      await store.consents.upsert({ ...first, clientId: 'rp2', grantedAtMs: t0Ms + 1 });
      await store.consents.upsert({ ...first, userId: 'user-bob' });
      assert.deepEqual((await store.consents.listByUser('user-ada')).map((c) => c.clientId), ['rp', 'rp2']);
      assert.equal(await store.consents.delete('user-ada', 'rp2'), true);
      assert.equal(await store.consents.delete('user-ada', 'rp2'), false);
      await store.clients.delete('rp');
      assert.equal(await store.consents.find('user-ada', 'rp'), null, 'gone with the client');
      await store.clients.create(rp);
      await store.consents.upsert(first);
      await store.users.delete('user-ada');
      assert.deepEqual(await store.consents.listByUser('user-ada'), [], 'gone with the user');
    });
  });

  describe('session clients', () => {
    test('record is idempotent per (session, client) and keeps the latest issue to the minute; list per session; expire', async (store) => {
      const entry = { sessionId: 's1', clientId: 'rp', userId: 'user-ada', firstIssuedAtMs: t0Ms, lastIssuedAtMs: t0Ms, expiresAtMs: t0Ms + 60 * minuteMs };
      await store.sessionClients.record(entry);
      await store.sessionClients.record({ ...entry, firstIssuedAtMs: t0Ms + 9, lastIssuedAtMs: t0Ms + 9 });
      await store.sessionClients.record({ ...entry, clientId: 'rp2', firstIssuedAtMs: t0Ms + 1, lastIssuedAtMs: t0Ms + 1 });
      await store.sessionClients.record({ ...entry, sessionId: 's2', expiresAtMs: t0Ms + minuteMs });
      assert.deepEqual(await store.sessionClients.listClientsForSession('s1'), [entry, { ...entry, clientId: 'rp2', firstIssuedAtMs: t0Ms + 1, lastIssuedAtMs: t0Ms + 1 }], 'a record within the minute writes nothing');
      // Inside a transaction too (SQLite: a prepared statement on the writer), as the code exchange records it.
      await store.transaction((tx) => tx.sessionClients.record({ ...entry, firstIssuedAtMs: t0Ms + minuteMs, lastIssuedAtMs: t0Ms + minuteMs }));
      await store.transaction((tx) => tx.sessionClients.record({ ...entry, firstIssuedAtMs: t0Ms + 2, lastIssuedAtMs: t0Ms + 2 }));
      await store.transaction((tx) => tx.sessionClients.record({ ...entry, clientId: 'rp3', firstIssuedAtMs: t0Ms + 5, lastIssuedAtMs: t0Ms + 5 }));
      assert.deepEqual(await store.sessionClients.listClientsForSession('s1'), [
        { ...entry, lastIssuedAtMs: t0Ms + minuteMs },
        { ...entry, clientId: 'rp2', firstIssuedAtMs: t0Ms + 1, lastIssuedAtMs: t0Ms + 1 },
        { ...entry, clientId: 'rp3', firstIssuedAtMs: t0Ms + 5, lastIssuedAtMs: t0Ms + 5 },
      ]);
      await store.sessionClients.record({ ...entry, lastIssuedAtMs: t0Ms + 3 * minuteMs });
      assert.equal((await store.sessionClients.listClientsForSession('s1'))[0]?.lastIssuedAtMs, t0Ms + 3 * minuteMs, 'a minute or more later, the issue is refreshed');
      assert.deepEqual(await store.sessionClients.listClientsForSession('nope'), []);
      assert.equal(await store.sessionClients.deleteExpired(t0Ms + minuteMs), 1);
      assert.deepEqual(await store.sessionClients.listClientsForSession('s2'), []);
    });
  });
}
