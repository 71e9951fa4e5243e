import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lazyStore, overlayStore, repositoryNames, wrapRepositories, type RepositoryName } from '../../src/core/lazy-store.ts';
import type { Store } from '../../src/core/ports.ts';
import { createMemoryStore } from '../../src/storage/memory/memory-store.ts';
import { anAuditEvent } from '../storage/contract/fixtures.ts';

describe('lazyStore', () => {
  it('builds a repository on first use, once, and only the ones used', async () => {
    const below = createMemoryStore();
    const built: RepositoryName[] = [];
    const members = { transaction: below.transaction, ping: below.ping, close: below.close, describe: undefined };
    const store = lazyStore(members, (name) => {
      built.push(name);
      return below[name];
    });
    assert.deepEqual(built, [], 'nothing is built up front');
    assert.equal(await store.users.findById('nobody'), null);
    assert.equal(store.users, below.users);
    await store.audit.list({ limit: 1 });
    assert.deepEqual(built, ['users', 'audit'], 'each once, when first used');
    assert.equal(store.transaction, below.transaction);
    assert.equal(store.describe, undefined);
  });

  it('lists every repository to for...in (as the inspector’s tracing walks a store), and a spread copies nothing', () => {
    const below = createMemoryStore();
    const store = lazyStore({ transaction: below.transaction, ping: below.ping, close: below.close, describe: undefined }, (name) => below[name]);
    const listed: string[] = [];
    for (const key in store) listed.push(key);
    assert.deepEqual(listed.sort(), [...repositoryNames].sort());
    assert.deepEqual({ ...store }, {}, 'lazy stores are layered, never spread');
  });
});

describe('overlayStore', () => {
  it('wraps the named repositories when first used and reads every other one from below', async () => {
    const below = createMemoryStore();
    const appended: string[] = [];
    let wrapped = 0;
    const store: Store = overlayStore(
      below,
      {
        audit: (audit) => {
          wrapped += 1;
          return { ...audit, append: async (event) => (appended.push(event.type), audit.append(event)) };
        },
      },
      (work) => work(store),
    );
    assert.equal(wrapped, 0);
    assert.equal(store.users, below.users, 'not wrapped: the one below');
    await store.transaction((tx) => tx.audit.append(anAuditEvent('e1', { type: 'user.signed_up' })));
    await store.audit.append(anAuditEvent('e2', { type: 'account.disabled' }));
    assert.deepEqual(appended, ['user.signed_up', 'account.disabled']);
    assert.equal(wrapped, 1, 'wrapped once for the store');
    assert.equal((await below.audit.list({ limit: 10 })).length, 2);
    assert.equal(store.ping, below.ping);
  });

  it('wrapRepositories builds the same wrappers at once, for a store opened at start-up', () => {
    const below = createMemoryStore();
    const marker = { ...below.users };
    assert.deepEqual(wrapRepositories(below, { users: () => marker }), { users: marker });
  });
});
