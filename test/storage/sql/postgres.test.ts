import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { StorageUnavailableError } from '../../../src/core/errors.ts';
import { migrations } from '../../../src/storage/sql/migrations/index.ts';
import { openPostgresStore } from '../../../src/storage/sql/postgres.ts';
import { findFreePort } from '../../support/free-port.ts';
import { createTestDatabase, testPostgresUrl } from '../../support/postgres.ts';
import { runStoreContract } from '../contract.ts';
import { aSession, aUser, t0Ms } from '../contract/fixtures.ts';
import { clientRecord } from '../../support/client-record.ts';
import type { RefreshTokenRecord } from '../../../src/core/ports.ts';

/**
 * The storage contract on PostgreSQL, on the shared throwaway server `npm test` starts
 * (GATEHOUSE_TEST_POSTGRES_URL). One database for the file, migrated on open like the server
 * does; every contract test starts from empty tables (creating a database per test costs far
 * more than the test itself).
 */
const shared = await openPostgresStore(await createTestDatabase(), { migrate: 'on-open', pool: { maxConnections: 4 } });
after(() => shared.close());

/** Every table the migrations made (so a table added later is emptied too), kysely's own bookkeeping aside. */
const { rows: tableRows } = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = current_schema() and tablename not like 'gatehouse_migration%'`.execute(shared.db);
const emptyEveryTable = sql`truncate ${sql.join(tableRows.map((row) => sql.table(row.tablename)))} cascade`;

runStoreContract('PostgreSQL', async () => {
  await emptyEveryTable.execute(shared.db);
  // The contract closes every store it opens; the shared one stays open for the next test.
  return { ...shared, close: async () => undefined };
});

describe('PostgreSQL store', () => {
  it('instances starting together on a new database apply each migration once (advisory lock)', async () => {
    const url = await createTestDatabase();
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 2 } })));
    try {
      const applied = await sql<{ name: string }>`select name from gatehouse_migrations order by name`.execute(stores[0]!.db);
      assert.deepEqual(
        applied.rows.map((r) => r.name),
        Object.keys(migrations).sort(),
      );
      // And a later `gatehouse migrate` finds nothing to do.
      assert.deepEqual(await stores[1]!.migrate(), { applied: [] });
      await stores[2]!.users.create(aUser('alice'));
      assert.notEqual(await stores[0]!.users.findById('user-alice'), null);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('a revocation appended by a transaction that commits later never gets a lower seq than one already visible', async () => {
    // Feed readers resume from "seq > last seen": a lower seq committing after a higher one was
    // read would never be delivered. The second append must wait for the first to commit.
    const url = await createTestDatabase();
    const a = await openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 2 } });
    const b = await openPostgresStore(url, { migrate: 'never', pool: { maxConnections: 2 } });
    let releaseFirst = (): void => undefined;
    try {
      const entry = { jti: null, expiresAtMs: t0Ms + 60_000, createdAtMs: t0Ms, reason: 'logout' };
      const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstAppended!: () => void;
      const firstHasAppended = new Promise<void>((resolve) => (firstAppended = resolve));
      const first = a.transaction(async (tx) => {
        await tx.revocations.append({ ...entry, sid: 'first' });
        firstAppended();
        await firstMayCommit;
      });
      await firstHasAppended;
      let secondDone = false;
      const second = b.revocations.append({ ...entry, sid: 'second' }).then(() => {
        secondDone = true;
      });
      // Wait until the second append is queued behind the first one's lock, seen from the server.
      while (!secondDone) {
        const waiting = await sql<{ n: string }>`select count(*) as n from pg_locks where locktype = 'advisory' and not granted`.execute(a.db);
        if (Number(waiting.rows[0]?.n) > 0) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      assert.equal(secondDone, false, 'the second append committed while the first was still open');
      releaseFirst();
      await Promise.all([first, second]);
      const feed = await a.revocations.listAfter(0, 10);
      assert.deepEqual(
        feed.map((r) => r.sid),
        ['first', 'second'],
      );
    } finally {
      releaseFirst();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a sign-up whose email is taken leaves its transaction usable (no aborted transaction)', async () => {
    const url = await createTestDatabase();
    const store = await openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 2 } });
    try {
      await store.users.create(aUser('alice'));
      await store.transaction(async (tx) => {
        assert.equal(await tx.users.create(aUser('alice2', { email: 'alice@example.com' })), 'email_taken');
        await tx.sessions.create(aSession('s-a1', 'user-alice'));
      });
      assert.notEqual(await store.sessions.findWithUser('s-a1'), null);
    } finally {
      await store.close();
    }
  });

  it('an unreachable server is StorageUnavailableError (503), at open and afterwards, never a crash', async () => {
    const closedPort = await findFreePort();
    const unreachable = `postgres://postgres@127.0.0.1:${closedPort}/gatehouse`;
    await assert.rejects(openPostgresStore(unreachable, { migrate: 'on-open' }), StorageUnavailableError);
    const store = await openPostgresStore(unreachable, { migrate: 'never', pool: { connectTimeoutMs: 1_000 } });
    try {
      await assert.rejects(store.ping(), StorageUnavailableError);
      await assert.rejects(store.sessions.findWithUser('s-1'), StorageUnavailableError);
      // The pipelined reads (postgres-pipeline.ts) too.
      await assert.rejects(store.clients.findById('web'), StorageUnavailableError);
      await assert.rejects(store.refreshTokens.findWithSession('rt-1'), StorageUnavailableError);
      await assert.rejects(store.users.findByEmail('a@example.com'), StorageUnavailableError);
      await assert.rejects(store.transaction((tx) => tx.users.findById('u')), StorageUnavailableError);
    } finally {
      await store.close();
    }
    assert.ok(testPostgresUrl().startsWith('postgres://'));
  });

  it('the pipelined reads reconnect after their connection is cut, and fail meanwhile as unavailable, never with a wrong row', async () => {
    const url = await createTestDatabase();
    const store = await openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 3 } });
    try {
      await store.clients.create(clientRecord({ id: 'web', name: 'Web', type: 'public', secretHash: null, grantTypes: ['refresh_token'], audience: 'https://api.example.com', refreshTokenDelivery: 'body', createdAtMs: t0Ms }));
      assert.equal((await store.clients.findById('web'))?.id, 'web');
      // Many reads in flight on the one connection, each answered with its own row.
      const ids = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'web' : `missing-${i}`));
      assert.deepEqual((await Promise.all(ids.map((id) => store.clients.findById(id)))).map((c) => c?.id ?? null), ids.map((id) => (id === 'web' ? 'web' : null)));
      const cut = await sql<{ n: number }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query like 'select % from "clients" %'`.execute(store.db);
      assert.equal(cut.rows[0]?.n, 1, 'the pipelined connection was found and cut');
      let found = null;
      for (let attempt = 0; attempt < 5 && found === null; attempt++) {
        found = await store.clients.findById('web').catch((error: unknown) => {
          assert.ok(error instanceof StorageUnavailableError, String(error));
          return null;
        });
      }
      assert.equal(found?.id, 'web');
    } finally {
      await store.close();
    }
  });

  it('session checks sent in one turn go out together on the pipelined connection, each answered with its own row, and see a delete committed on the pool', async () => {
    const url = await createTestDatabase();
    const store = await openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 3 } });
    try {
      await store.users.create(aUser('alice'));
      await store.users.create(aUser('bob'));
      await store.sessions.create(aSession('s-alice', 'user-alice'));
      await store.sessions.create(aSession('s-bob', 'user-bob'));
      const ids = Array.from({ length: 60 }, (_, i) => ['s-alice', 's-bob', `s-missing-${i}`][i % 3] as string);
      const found = await Promise.all(ids.map((id) => store.sessions.findWithUser(id)));
      assert.deepEqual(
        found.map((s) => (s === null ? null : `${s.session.id}/${s.user.id}`)),
        ids.map((id) => (id === 's-alice' ? 's-alice/user-alice' : id === 's-bob' ? 's-bob/user-bob' : null)),
      );
      assert.equal(await store.sessions.delete('s-alice'), true);
      assert.equal(await store.sessions.findWithUser('s-alice'), null, 'a session deleted through the pool is gone for the next check');
      assert.equal((await store.sessions.findWithUser('s-bob'))?.user.id, 'user-bob');
    } finally {
      await store.close();
    }
  });

  it("the refresh grant's rotation (its own pipelined connection) waits for a transaction's row lock and then sees its commit, while the pipelined reads go on", async () => {
    const url = await createTestDatabase();
    const store = await openPostgresStore(url, { migrate: 'on-open', pool: { maxConnections: 4 } });
    try {
      await store.users.create(aUser('alice'));
      await store.sessions.create(aSession('s-a1', 'user-alice'));
      const token = (id: string): RefreshTokenRecord => ({
        id,
        familyId: 'rt-1',
        sessionId: 's-a1',
        clientId: 'web',
        secretHash: new Uint8Array(32).fill(id.length),
        scope: '',
        createdAtMs: t0Ms,
        idleExpiresAtMs: t0Ms + 3_600_000,
        familyExpiresAtMs: t0Ms + 7_200_000,
        usedAtMs: null,
        successorId: null,
        dpopJkt: null,
        openIdLogin: null,
      });
      await store.refreshTokens.insert(token('rt-1'));
      let release = (): void => undefined;
      let locked = (): void => undefined;
      const lockTaken = new Promise<void>((resolve) => (locked = resolve));
      const transaction = store.transaction(async (tx) => {
        assert.equal(await tx.refreshTokens.markUsed('rt-1', t0Ms + 1, 'rt-other'), true);
        locked();
        await new Promise<void>((resolve) => (release = resolve));
      });
      await lockTaken;
      let rotated: boolean | undefined;
      const rotation = store.refreshTokens.rotate('rt-1', t0Ms + 2, token('rt-2')).then((won) => (rotated = won));
      // The rotation is blocked on the row; reads on the other pipelined connection are not.
      assert.equal((await store.sessions.findWithUser('s-a1'))?.user.id, 'user-alice');
      assert.equal((await store.refreshTokens.findWithSession('rt-1'))?.token.usedAtMs, null, 'the transaction has not committed');
      assert.equal(rotated, undefined, 'the rotation waits for the lock');
      release();
      await transaction;
      await rotation;
      assert.equal(rotated, false, 'the transaction won: nothing rotated');
      assert.equal((await store.refreshTokens.findById('rt-1'))?.successorId, 'rt-other');
      assert.equal(await store.refreshTokens.findById('rt-2'), null);
      // And a rotation of an unused token commits before it resolves.
      await store.refreshTokens.insert(token('rt-3'));
      assert.equal(await store.refreshTokens.rotate('rt-3', t0Ms + 3, token('rt-4')), true);
      assert.equal((await store.refreshTokens.findById('rt-3'))?.successorId, 'rt-4');
      assert.notEqual(await store.refreshTokens.findById('rt-4'), null);
    } finally {
      await store.close();
    }
  });

  it('describe() reports the pool use for /readyz', async () => {
    const use = shared.describe?.() as { database: string; pool: { total: number; idle: number; waiting: number; max: number } };
    assert.equal(use.database, 'postgresql');
    assert.equal(use.pool.max, 4);
    assert.ok(use.pool.total >= 1 && use.pool.total <= 4);
    assert.equal(use.pool.waiting, 0);
  });
});
