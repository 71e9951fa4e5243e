import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { UserProfile } from '../../../src/core/ports.ts';
import { aUser, storeTest, t0Ms, type OpenStore } from './fixtures.ts';

export function userProfilesContract(open: OpenStore): void {
  const test = storeTest(open);
  const full = (userId: string, overrides: Partial<UserProfile> = {}): UserProfile => ({
    userId,
    name: 'Ada Lovelace',
    givenName: 'Ada',
    familyName: 'Lovelace',
    picture: 'https://example.com/ada.png',
    locale: 'en-GB',
    updatedAtMs: t0Ms + 1,
    ...overrides,
  });

  describe('user profiles', () => {
    test('find is null until a profile is put; put round-trips every field, non-ASCII included', async (store) => {
      const ada = aUser('ada');
      await store.users.create(ada);
      assert.equal(await store.profiles.find(ada.id), null);
      const profile = full(ada.id, { name: 'Ada Lövelace 李', familyName: 'Lövelace' });
      await store.profiles.put(profile);
      assert.deepEqual(await store.profiles.find(ada.id), profile);
    });

    test('put replaces the whole profile, nulls included, and touches no other user', async (store) => {
      const ada = aUser('ada');
      const bob = aUser('bob');
      await store.users.create(ada);
      await store.users.create(bob);
      await store.profiles.put(full(ada.id));
      await store.profiles.put(full(bob.id, { name: 'Bob' }));
      const cleared = full(ada.id, { name: null, picture: null, locale: null, updatedAtMs: t0Ms + 9 });
      await store.profiles.put(cleared);
      assert.deepEqual(await store.profiles.find(ada.id), cleared);
      assert.equal((await store.profiles.find(bob.id))?.name, 'Bob');
    });

    test('the profile goes with its user', async (store) => {
      const ada = aUser('ada');
      await store.users.create(ada);
      await store.profiles.put(full(ada.id));
      await store.users.delete(ada.id);
      assert.equal(await store.profiles.find(ada.id), null);
    });

    test('a profile rolled back with its transaction is not kept', async (store) => {
      const ada = aUser('ada');
      await store.users.create(ada);
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.profiles.put(full(ada.id));
          throw new Error('roll back');
        }),
      );
      assert.equal(await store.profiles.find(ada.id), null);
    });
  });
}
