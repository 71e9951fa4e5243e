import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Client } from '../../../src/core/ports.ts';
import { clientRecord } from '../../support/client-record.ts';
import { readDuringRolledBackTransaction, sortedById, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function aClient(id: string, overrides: Partial<Client> = {}): Client {
  return clientRecord(
    {
      id,
      name: `Client ${id}`,
      type: 'confidential',
      secretHash: `$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$${id}`,
      grantTypes: ['password', 'refresh_token'],
      audience: 'https://api.example.com',
      refreshTokenDelivery: 'body',
      createdAtMs: t0Ms,
    },
    overrides,
  );
}

export function clientsContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('clients', () => {
    test('findById outside a transaction never sees a transaction that is still open (it rolls back here)', async (store) => {
      assert.equal(await readDuringRolledBackTransaction(store, (tx) => tx.clients.create(aClient('web')), () => store.clients.findById('web')), null);
      assert.equal(await store.clients.findById('web'), null);
    });

    test('create stores a confidential client, found again by id with every field intact', async (store) => {
      const client = aClient('server-app', { name: 'Billing — «backend» 🔑', createdAtMs: t0Ms + 7 });
      assert.equal(await store.clients.create(client), 'created');
      assert.deepEqual(await store.clients.findById(client.id), client);
    });

    test('create round-trips a public client with a null secret hash', async (store) => {
      const client = aClient('mobile-app', { type: 'public', secretHash: null, grantTypes: ['session'], audience: 'urn:example:api' });
      await store.clients.create(client);
      assert.deepEqual(await store.clients.findById(client.id), client);
    });

    test('a browser client round-trips its cookie delivery of refresh tokens', async (store) => {
      const client = aClient('spa', { type: 'public', secretHash: null, grantTypes: ['password', 'refresh_token'], refreshTokenDelivery: 'cookie' });
      await store.clients.create(client);
      assert.deepEqual(await store.clients.findById('spa'), client);
      assert.deepEqual(await store.clients.list(), [client]);
    });

    test('grantTypes round-trip: one, several, and every one, in the order given', async (store) => {
      const lists: Client['grantTypes'][] = [['password'], ['refresh_token'], ['session'], ['session', 'password'], ['refresh_token', 'session', 'password']];
      for (const [i, grantTypes] of lists.entries()) await store.clients.create(aClient(`c${i}`, { grantTypes }));
      for (const [i, grantTypes] of lists.entries()) assert.deepEqual((await store.clients.findById(`c${i}`))?.grantTypes, grantTypes);
    });

    test('an OpenID client round-trips every registration field: URIs verbatim, scopes, flags, auth method, keys, ID token algorithm', async (store) => {
      const client = aClient('rp', {
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        redirectUris: ['https://rp.example.com/cb?x=1&y=%20', 'http://127.0.0.1:8080/Callback', 'https://rp.example.com/cb'],
        postLogoutRedirectUris: ['https://rp.example.com/bye'],
        backchannelLogoutUri: 'https://rp.example.com/backchannel',
        scopes: ['orders:read', 'orders:write'],
        skipConsent: true,
        requirePkce: true,
        requirePar: true,
        requireDpop: true,
        tokenEndpointAuthMethod: 'private_key_jwt',
        secretHash: null,
        jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' }] },
        idTokenSignedResponseAlg: 'EdDSA',
      });
      assert.equal(await store.clients.create(client), 'created');
      assert.deepEqual(await store.clients.findById('rp'), client);
      const byUri = aClient('rp2', { type: 'public', secretHash: null, tokenEndpointAuthMethod: 'none', redirectUris: ['com.example.app:/cb'], jwksUri: 'https://rp.example.com/jwks', idTokenSignedResponseAlg: 'ES256' });
      await store.clients.create(byUri);
      assert.deepEqual(await store.clients.findById('rp2'), byUri);
      assert.deepEqual(sortedById(await store.clients.list()), sortedById([client, byUri]));
    });

    test('a client registered before the auth method was enforced round-trips its leeway (migration 0020)', async (store) => {
      const legacy = aClient('legacy', { acceptsEitherSecretMethod: true });
      await store.clients.create(legacy);
      assert.equal((await store.clients.findById('legacy'))?.acceptsEitherSecretMethod, true);
      assert.equal((await store.clients.findById('legacy'))?.tokenEndpointAuthMethod, 'client_secret_basic');
    });

    test('clientMaintenance changes one client only: its redirect URIs, its secret hash, and its auth-method leeway taken away; false for an unknown id', async (store) => {
      const legacy = aClient('legacy', { acceptsEitherSecretMethod: true, grantTypes: ['authorization_code'], redirectUris: ['https://a.example.com/cb'] });
      const other = aClient('other', { acceptsEitherSecretMethod: true });
      await store.clients.create(legacy);
      await store.clients.create(other);
      assert.equal(await store.clientMaintenance.setRedirectUris('legacy', ['https://a.example.com/cb2', 'https://a.example.com/cb'], ['https://a.example.com/bye']), true);
      assert.equal(await store.clientMaintenance.setSecretHash('legacy', 'bmV3LWhhc2g'), true);
      assert.equal(await store.transaction((tx) => tx.clientMaintenance.enforceAuthMethod('legacy')), true);
      assert.deepEqual(await store.clients.findById('legacy'), {
        ...legacy,
        redirectUris: ['https://a.example.com/cb2', 'https://a.example.com/cb'],
        postLogoutRedirectUris: ['https://a.example.com/bye'],
        secretHash: 'bmV3LWhhc2g',
        acceptsEitherSecretMethod: false,
      });
      assert.deepEqual(await store.clients.findById('other'), other, 'another client is untouched');
      assert.equal(await store.clientMaintenance.enforceAuthMethod('legacy'), true, 'again: the row still exists, nothing changes');
      assert.equal((await store.clients.findById('legacy'))?.acceptsEitherSecretMethod, false);
      for (const change of [() => store.clientMaintenance.setRedirectUris('nobody', [], []), () => store.clientMaintenance.setSecretHash('nobody', 'x'), () => store.clientMaintenance.enforceAuthMethod('nobody')]) {
        assert.equal(await change(), false);
      }
    });

    test('clientMaintenance changes in a transaction that throws are not kept', async (store) => {
      await store.clients.create(aClient('legacy', { acceptsEitherSecretMethod: true }));
      const failure = new Error('work failed');
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await tx.clientMaintenance.enforceAuthMethod('legacy'), true);
          throw failure;
        }),
        failure,
      );
      assert.equal((await store.clients.findById('legacy'))?.acceptsEitherSecretMethod, true);
    });

    test('create answers id_taken for an existing id and keeps the first client', async (store) => {
      const first = aClient('app');
      await store.clients.create(first);
      assert.equal(await store.clients.create(aClient('app', { name: 'Impostor', type: 'public', secretHash: null })), 'id_taken');
      assert.deepEqual(await store.clients.findById('app'), first);
      assert.deepEqual(await store.clients.list(), [first]);
    });

    test('findById returns null for an unknown id, and ids are compared exactly', async (store) => {
      await store.clients.create(aClient('app'));
      assert.equal(await store.clients.findById('nobody'), null);
      assert.equal(await store.clients.findById('APP'), null);
      assert.equal(await store.clients.findById('app '), null);
    });

    test('what a read returns is a copy: changing it changes nothing stored', async (store) => {
      const client = aClient('app');
      await store.clients.create(client);
      const read = await store.clients.findById('app');
      read?.grantTypes.push('session');
      read?.redirectUris.push('https://evil.example');
      client.grantTypes.push('session');
      client.redirectUris.push('https://evil.example');
      assert.deepEqual((await store.clients.findById('app'))?.grantTypes, ['password', 'refresh_token']);
      assert.deepEqual((await store.clients.findById('app'))?.redirectUris, []);
    });

    test('list returns every client', async (store) => {
      const clients = [aClient('b'), aClient('a', { type: 'public', secretHash: null }), aClient('c', { createdAtMs: t0Ms - 1 })];
      for (const client of clients) await store.clients.create(client);
      assert.deepEqual(sortedById(await store.clients.list()), sortedById(clients));
    });

    test('list on an empty store is empty', async (store) => {
      assert.deepEqual(await store.clients.list(), []);
    });

    test('delete removes only that client, answers false the second time, and frees the id', async (store) => {
      const keep = aClient('keep');
      await store.clients.create(aClient('gone'));
      await store.clients.create(keep);
      assert.equal(await store.clients.delete('gone'), true);
      assert.equal(await store.clients.findById('gone'), null);
      assert.deepEqual(await store.clients.list(), [keep]);
      assert.equal(await store.clients.delete('gone'), false);
      assert.equal(await store.clients.delete('never-was'), false);
      assert.equal(await store.clients.create(aClient('gone', { name: 'Again' })), 'created');
    });

    test('a client created in a transaction that throws is not stored', async (store) => {
      const failure = new Error('work failed');
      await assert.rejects(
        store.transaction(async (tx) => {
          assert.equal(await tx.clients.create(aClient('app')), 'created');
          assert.notEqual(await tx.clients.findById('app'), null, 'the work reads its own write');
          throw failure;
        }),
        failure,
      );
      assert.equal(await store.clients.findById('app'), null);
    });
  });
}
