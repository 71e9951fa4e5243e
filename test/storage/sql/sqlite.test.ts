import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StorageUnavailableError } from '../../../src/core/errors.ts';
import type { Store } from '../../../src/core/ports.ts';
import { migrateToLatest } from '../../../src/storage/sql/migrate.ts';
import { openSqliteStore } from '../../../src/storage/sql/sqlite.ts';
import { runStoreContract } from '../contract.ts';
import { aSession, aUser, anAuditEvent, minuteMs, t0Ms } from '../contract/fixtures.ts';

interface TempDatabase {
  path: string;
  remove(): void;
}

/** A fresh database file in its own temp directory (WAL adds -wal and -shm files beside it). */
function tempDatabase(): TempDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
  return { path: join(dir, 'gatehouse.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `body` with a temp database path, removing the files whatever happens. */
async function withTempDatabase(body: (path: string) => Promise<void>): Promise<void> {
  const database = tempDatabase();
  try {
    await body(database.path);
  } finally {
    database.remove();
  }
}

runStoreContract('sqlite', async (): Promise<Store> => {
  const database = tempDatabase();
  const store = await openSqliteStore(database.path, { migrate: 'on-open' });
  return {
    ...store,
    close: async () => {
      try {
        await store.close();
      } finally {
        database.remove();
      }
    },
  };
});

describe('SQLite store', () => {
  const alice = aUser('alice');
  const session = aSession('s-a1', alice.id);

  it('keeps committed data across close and reopen of the same file', async () => {
    await withTempDatabase(async (path) => {
      const event = anAuditEvent('e1', { type: 'user.signed_up', userId: alice.id, email: alice.email });
      const first = await openSqliteStore(path, { migrate: 'on-open' });
      await first.transaction(async (tx) => {
        await tx.users.create(alice);
        await tx.sessions.create(session);
        await tx.audit.append(event);
      });
      await first.throttle.recordFailure('account:alice', t0Ms, 15 * minuteMs);
      await first.close();

      const second = await openSqliteStore(path, { migrate: 'on-open' });
      try {
        assert.deepEqual(await second.sessions.findWithUser(session.id), { session, user: alice });
        assert.deepEqual(await second.audit.list({ limit: 10 }), [event]);
        assert.deepEqual(await second.throttle.get('account:alice'), { failures: 1, lastFailureAtMs: t0Ms });
      } finally {
        await second.close();
      }
    });
  });

  it('applies migrations once: reopening or migrating again changes nothing', async () => {
    await withTempDatabase(async (path) => {
      const bare = await openSqliteStore(path, { migrate: 'never' });
      try {
        assert.deepEqual(await migrateToLatest(bare.db), { applied: ['0001-initial'] });
        await bare.users.create(alice);
        assert.deepEqual(await migrateToLatest(bare.db), { applied: [] });
      } finally {
        await bare.close();
      }

      const reopened = await openSqliteStore(path, { migrate: 'on-open' });
      // A second process (say `gatehouse migrate` beside a running server) opens the same file.
      const concurrent = await openSqliteStore(path, { migrate: 'on-open' });
      try {
        assert.deepEqual(await migrateToLatest(reopened.db), { applied: [] });
        assert.deepEqual(await reopened.users.findById(alice.id), alice);
        assert.deepEqual(await concurrent.users.findById(alice.id), alice);
      } finally {
        await concurrent.close();
        await reopened.close();
      }
    });
  });

  it(
    'two stores on one database file (two processes, or a CLI beside the server) still allow exactly freeFailures concurrent reserves',
    {
      todo:
        'src/storage/sql/sql-store.ts reserve() is a deferred transaction (SELECT, then upsert): the second connection cannot ' +
        'upgrade its read to a write and fails at once with SQLITE_BUSY "database is locked" (StorageUnavailableError); see report',
    },
    async () => {
      await withTempDatabase(async (path) => {
        const first = await openSqliteStore(path, { migrate: 'on-open' });
        const second = await openSqliteStore(path, { migrate: 'on-open' });
        try {
          const rule = { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: minuteMs, resetAfterMs: 15 * minuteMs };
          const results = await Promise.allSettled(
            Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? first : second).throttle.reserve('account:alice', t0Ms, rule)),
          );
          const errors = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
          assert.deepEqual(errors, [], 'no reserve may fail because the other connection is writing');
          const outcomes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
          assert.equal(outcomes.filter((o) => o.allowed).length, 5);
          assert.deepEqual(await first.throttle.get('account:alice'), { failures: 5, lastFailureAtMs: t0Ms });
          assert.deepEqual(await second.throttle.get('account:alice'), { failures: 5, lastFailureAtMs: t0Ms });
        } finally {
          await second.close();
          await first.close();
        }
      });
    },
  );

  it('the session lookup never sees rows of a transaction that has not committed', async () => {
    await withTempDatabase(async (path) => {
      const store = await openSqliteStore(path, { migrate: 'on-open' });
      try {
        await store.users.create(alice);
        await store.transaction(async (tx) => {
          await tx.sessions.create(session);
          assert.equal(await store.sessions.findWithUser(session.id), null);
        });
        assert.deepEqual(await store.sessions.findWithUser(session.id), { session, user: alice });
      } finally {
        await store.close();
      }
    });
  });

  it('rejects with StorageUnavailableError once its connections are gone, so the HTTP layer fails closed', async () => {
    await withTempDatabase(async (path) => {
      const store = await openSqliteStore(path, { migrate: 'on-open' });
      await store.users.create(alice);
      await store.sessions.create(session);
      // Warm the prepared lookup first: that is the state of a server that has been serving.
      assert.notEqual(await store.sessions.findWithUser(session.id), null);

      store.connections.forEach((c) => c.close());

      // An unknown id must reject too: resolving null would turn an outage into "logged out".
      await assert.rejects(store.sessions.findWithUser(session.id), StorageUnavailableError);
      await assert.rejects(store.sessions.findWithUser('s-unknown'), StorageUnavailableError);
      await assert.rejects(store.users.findById(alice.id), StorageUnavailableError);
      await assert.rejects(store.ping(), StorageUnavailableError);
      // No store.close() here: it would reject too, as the writer connection is already closed.
    });
  });

  it('rejects with StorageUnavailableError on a first lookup after the connections are gone', async () => {
    await withTempDatabase(async (path) => {
      const store = await openSqliteStore(path, { migrate: 'on-open' });
      store.connections.forEach((c) => c.close());
      await assert.rejects(store.sessions.findWithUser(session.id), StorageUnavailableError);
    });
  });
});
