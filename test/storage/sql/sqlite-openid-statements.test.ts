import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sql/sqlite.ts';
import { aSecretHash, minuteMs, t0Ms } from '../contract/fixtures.ts';
import { aCode } from '../contract/openid-provider.ts';

// The code flow's prepared statements (src/storage/sql/sqlite-openid-statements.ts). The storage
// contract (test/storage/contract/openid-provider.ts) checks they answer as the kysely queries
// do; these check what only SQLite's two connections and its group commit can get wrong.

async function withStores(body: (store: SqliteStore, other: SqliteStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openid-statements-'));
  const store = await openSqliteStore(join(dir, 'db.sqlite'), { migrate: 'on-open' });
  // A second store on the same file: another process, which sees only what was committed.
  const other = await openSqliteStore(join(dir, 'db.sqlite'), { migrate: 'never' });
  try {
    await body(store, other);
  } finally {
    await other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SQLite fast paths of the code flow', () => {
  it('a code issued outside a transaction is committed by the time its insert resolves, also when it shares a COMMIT', async () => {
    await withStores(async (store, other) => {
      await store.authorizationCodes.insert(aCode(1));
      assert.deepEqual(await other.authorizationCodes.findByHash(aSecretHash(1)), aCode(1));
      // Concurrent ones join one group commit; each is stored when its promise settles.
      await Promise.all([2, 3, 4].map((seed) => store.authorizationCodes.insert(aCode(seed)).then(async () => assert.notEqual(await other.authorizationCodes.findByHash(aSecretHash(seed)), null))));
    });
  });

  it('a failed code insert (a hash stored twice) fails alone: the codes committed with it are stored', async () => {
    await withStores(async (store, other) => {
      await store.authorizationCodes.insert(aCode(1));
      const results = await Promise.allSettled([store.authorizationCodes.insert(aCode(2)), store.authorizationCodes.insert(aCode(1)), store.authorizationCodes.insert(aCode(3))]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      for (const seed of [1, 2, 3]) assert.notEqual(await other.authorizationCodes.findByHash(aSecretHash(seed)), null);
    });
  });

  it('the code lookup outside a transaction never sees a code, or its consumption, before they commit', async () => {
    await withStores(async (store) => {
      await store.transaction(async (tx) => {
        await tx.authorizationCodes.insert(aCode(1));
        assert.equal(await store.authorizationCodes.findByHash(aSecretHash(1)), null);
        assert.deepEqual(await tx.authorizationCodes.findByHash(aSecretHash(1)), aCode(1));
      });
      await store.transaction(async (tx) => {
        assert.equal(await tx.authorizationCodes.consume(aSecretHash(1), t0Ms + 1, { refreshFamilyId: null, accessTokenJti: 'j', accessTokenExpiresAtMs: t0Ms + 5 * minuteMs }), true);
        assert.equal((await store.authorizationCodes.findByHash(aSecretHash(1)))?.usedAtMs, null);
      });
      assert.equal((await store.authorizationCodes.findByHash(aSecretHash(1)))?.usedAtMs, t0Ms + 1);
    });
  });
});
