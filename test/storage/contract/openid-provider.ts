import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { AuthorizationCodeRecord, AuthorizationParams, PendingAuthorization } from '../../../src/core/ports.ts';
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
};

function aCode(seed: number, overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
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
    test('insert and find by hash, every field intact; an unknown hash is null', async (store) => {
      const code = aCode(1, { codeChallenge: 'abc', nonce: null, acr: null });
      await store.authorizationCodes.insert(code);
      assert.deepEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), code);
      assert.equal(await store.authorizationCodes.findByHash(aSecretHash(2)), null);
    });

    test('markUsed succeeds once; recordIssued keeps what the first exchange got', async (store) => {
      await store.authorizationCodes.insert(aCode(1));
      const [a, b] = await Promise.all([store.authorizationCodes.markUsed(aSecretHash(1), t0Ms + 1), store.authorizationCodes.markUsed(aSecretHash(1), t0Ms + 2)]);
      assert.deepEqual([a, b].sort(), [false, true], 'of two exchanges racing, exactly one wins');
      assert.equal(await store.authorizationCodes.markUsed(aSecretHash(9), t0Ms), false);
      await store.authorizationCodes.recordIssued(aSecretHash(1), { refreshFamilyId: 'fam', accessTokenJti: 'jti', accessTokenExpiresAtMs: t0Ms + 5 * minuteMs });
      const read = await store.authorizationCodes.findByHash(aSecretHash(1));
      assert.equal(read?.refreshFamilyId, 'fam');
      assert.equal(read?.accessTokenJti, 'jti');
      assert.equal(read?.accessTokenExpiresAtMs, t0Ms + 5 * minuteMs);
      assert.ok(read?.usedAtMs === t0Ms + 1 || read?.usedAtMs === t0Ms + 2);
    });

    test('deleteExpired keeps a used code until the access token of its first exchange has expired', async (store) => {
      await store.authorizationCodes.insert(aCode(1));
      await store.authorizationCodes.insert(aCode(2));
      await store.authorizationCodes.markUsed(aSecretHash(1), t0Ms);
      await store.authorizationCodes.recordIssued(aSecretHash(1), { refreshFamilyId: null, accessTokenJti: 'j', accessTokenExpiresAtMs: t0Ms + 5 * minuteMs });
      assert.equal(await store.authorizationCodes.deleteExpired(t0Ms + minuteMs), 1, 'the unused code goes at its expiry');
      assert.notEqual(await store.authorizationCodes.findByHash(aSecretHash(1)), null);
      assert.equal(await store.authorizationCodes.deleteExpired(t0Ms + 5 * minuteMs), 1);
      assert.equal(await store.authorizationCodes.findByHash(aSecretHash(1)), null);
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
    test('record is idempotent per (session, client) and keeps the latest issue; list per session; expire', async (store) => {
      const entry = { sessionId: 's1', clientId: 'rp', userId: 'user-ada', firstIssuedAtMs: t0Ms, lastIssuedAtMs: t0Ms, expiresAtMs: t0Ms + 60 * minuteMs };
      await store.sessionClients.record(entry);
      await store.sessionClients.record({ ...entry, firstIssuedAtMs: t0Ms + 9, lastIssuedAtMs: t0Ms + 9 });
      await store.sessionClients.record({ ...entry, firstIssuedAtMs: t0Ms + 3, lastIssuedAtMs: t0Ms + 3 });
      await store.sessionClients.record({ ...entry, clientId: 'rp2', firstIssuedAtMs: t0Ms + 1, lastIssuedAtMs: t0Ms + 1 });
      await store.sessionClients.record({ ...entry, sessionId: 's2', expiresAtMs: t0Ms + minuteMs });
      assert.deepEqual(await store.sessionClients.listClientsForSession('s1'), [
        { ...entry, lastIssuedAtMs: t0Ms + 9 },
        { ...entry, clientId: 'rp2', firstIssuedAtMs: t0Ms + 1, lastIssuedAtMs: t0Ms + 1 },
      ]);
      assert.deepEqual(await store.sessionClients.listClientsForSession('nope'), []);
      assert.equal(await store.sessionClients.deleteExpired(t0Ms + minuteMs), 1);
      assert.deepEqual(await store.sessionClients.listClientsForSession('s2'), []);
    });
  });
}
