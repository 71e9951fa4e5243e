import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { OAuthIdentity } from '../../../src/core/ports.ts';
import { aSession, aUser, sortedById, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

function anIdentity(id: string, userId: string, overrides: Partial<OAuthIdentity> = {}): OAuthIdentity {
  return {
    id,
    userId,
    provider: 'demo',
    issuer: 'https://idp.example.com',
    subject: `sub-${id}`,
    email: `${id}@idp.example.com`,
    createdAtMs: t0Ms,
    lastLoginAtMs: t0Ms,
    tokensJwe: null,
    ...overrides,
  };
}

export function oauthIdentitiesContract(open: OpenStore): void {
  const test = storeTest(open);

  describe('oauth identities', () => {
    test('a user without a password (social login only) round-trips with a null password hash', async (store) => {
      const user = aUser('social', { passwordHash: null });
      assert.equal(await store.users.create(user), 'created');
      assert.deepEqual(await store.users.findById(user.id), user);
      assert.deepEqual(await store.users.findByEmail(user.email), user);
      await store.sessions.create(aSession('s1', user.id));
      assert.equal((await store.sessions.findWithUser('s1'))?.user.passwordHash, null);
    });

    test('create stores an identity, found by (issuer, subject) and listed for its user, every field intact', async (store) => {
      await store.users.create(aUser('ada'));
      const identity = anIdentity('i1', 'user-ada', { subject: '248289761001', email: null, tokensJwe: 'eyJhbGciOiJkaXIifQ..x.y.z', lastLoginAtMs: t0Ms + 5 });
      assert.equal(await store.oauthIdentities.create(identity), 'created');
      assert.deepEqual(await store.oauthIdentities.findBySubject(identity.issuer, identity.subject), identity);
      assert.deepEqual(await store.oauthIdentities.listByUser('user-ada'), [identity]);
    });

    test('(issuer, subject) is unique across users; the same subject at another issuer is another identity', async (store) => {
      await store.users.create(aUser('ada'));
      await store.users.create(aUser('bob'));
      assert.equal(await store.oauthIdentities.create(anIdentity('i1', 'user-ada', { subject: 'x' })), 'created');
      assert.equal(await store.oauthIdentities.create(anIdentity('i2', 'user-bob', { subject: 'x' })), 'subject_taken');
      assert.equal(await store.oauthIdentities.create(anIdentity('i3', 'user-bob', { subject: 'x', issuer: 'https://other.example.com' })), 'created');
      assert.equal((await store.oauthIdentities.findBySubject('https://idp.example.com', 'x'))?.userId, 'user-ada');
      assert.equal((await store.oauthIdentities.findBySubject('https://other.example.com', 'x'))?.userId, 'user-bob');
    });

    test('lookups compare issuer and subject exactly', async (store) => {
      await store.users.create(aUser('ada'));
      await store.oauthIdentities.create(anIdentity('i1', 'user-ada', { subject: 'Abc' }));
      assert.equal(await store.oauthIdentities.findBySubject('https://idp.example.com', 'abc'), null);
      assert.equal(await store.oauthIdentities.findBySubject('https://idp.example.com/', 'Abc'), null);
      assert.equal(await store.oauthIdentities.findBySubject('https://IDP.example.com', 'Abc'), null);
    });

    test('recordLogin updates the last login, email and kept tokens of that identity only', async (store) => {
      await store.users.create(aUser('ada'));
      await store.oauthIdentities.create(anIdentity('i1', 'user-ada'));
      await store.oauthIdentities.create(anIdentity('i2', 'user-ada'));
      await store.oauthIdentities.recordLogin('i1', t0Ms + 60_000, 'new@idp.example.com', 'jwe');
      const [first, second] = sortedById(await store.oauthIdentities.listByUser('user-ada'));
      assert.deepEqual(first, anIdentity('i1', 'user-ada', { lastLoginAtMs: t0Ms + 60_000, email: 'new@idp.example.com', tokensJwe: 'jwe' }));
      assert.deepEqual(second, anIdentity('i2', 'user-ada'));
    });

    test("delete removes only the user's own identity", async (store) => {
      await store.users.create(aUser('ada'));
      await store.users.create(aUser('bob'));
      await store.oauthIdentities.create(anIdentity('i1', 'user-ada'));
      assert.equal(await store.oauthIdentities.delete('user-bob', 'i1'), false);
      assert.equal((await store.oauthIdentities.listByUser('user-ada')).length, 1);
      assert.equal(await store.oauthIdentities.delete('user-ada', 'i1'), true);
      assert.equal(await store.oauthIdentities.delete('user-ada', 'i1'), false);
      assert.deepEqual(await store.oauthIdentities.listByUser('user-ada'), []);
    });

    test("deleting a user deletes its identities, so the subject can be linked again", async (store) => {
      await store.users.create(aUser('ada'));
      await store.users.create(aUser('bob'));
      await store.oauthIdentities.create(anIdentity('i1', 'user-ada', { subject: 'x' }));
      await store.oauthIdentities.create(anIdentity('i2', 'user-bob', { subject: 'y' }));
      assert.equal(await store.users.delete('user-ada'), true);
      assert.equal(await store.oauthIdentities.findBySubject('https://idp.example.com', 'x'), null);
      assert.equal(await store.oauthIdentities.create(anIdentity('i3', 'user-bob', { subject: 'x' })), 'created');
      assert.equal((await store.oauthIdentities.listByUser('user-bob')).length, 2);
    });

    test('an identity created inside a transaction that fails is not kept', async (store) => {
      await store.users.create(aUser('ada'));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.oauthIdentities.create(anIdentity('i1', 'user-ada'));
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await store.oauthIdentities.listByUser('user-ada'), []);
    });
  });
}
