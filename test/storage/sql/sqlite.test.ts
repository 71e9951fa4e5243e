import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { StorageUnavailableError } from '../../../src/core/errors.ts';
import type { Store, ThrottleRuleShape } from '../../../src/core/ports.ts';
import { migrateToLatest } from '../../../src/storage/sql/migrate.ts';
import { migrations } from '../../../src/storage/sql/migrations/index.ts';
import { openSqliteStore } from '../../../src/storage/sql/sqlite.ts';
import { runStoreContract } from '../contract.ts';
import { aSession, aUser, anAuditEvent, minuteMs, t0Ms } from '../contract/fixtures.ts';

type WorkerSummary = Record<string, { allowed: number; waits: number[]; errors: string[] }>;

/**
 * Starts `processes` children (throttle-reserve-worker.ts) on the database at `path`, waits until
 * each has opened it, releases them together, and returns each one's summary.
 */
async function runReserveWorkers(
  path: string,
  keys: Record<string, ThrottleRuleShape>,
  processes: number,
  count: number,
  batch: number,
): Promise<WorkerSummary[]> {
  const readyLine = 'ready\n';
  const worker = fileURLToPath(new URL('./throttle-reserve-worker.ts', import.meta.url));
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, [worker, path, JSON.stringify(keys), String(t0Ms), String(count), String(batch)], {
      env: { PATH: process.env.PATH },
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map((child) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const ready = new Promise<void>((resolve, reject) => {
      const onData = () => {
        if (stdout.includes(readyLine)) {
          child.stdout.off('data', onData);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)));
    });
    const exited = new Promise<string>((resolve, reject) => {
      child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`worker exited with ${code}: ${stderr}`))));
    });
    exited.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    return { child, ready, exited };
  });
  try {
    await Promise.all(outputs.map((o) => o.ready));
    for (const { child } of outputs) child.stdin.end('go\n');
    const stdouts = await Promise.all(outputs.map((o) => o.exited));
    return stdouts.map((stdout) => JSON.parse(stdout.slice(stdout.indexOf(readyLine) + readyLine.length)) as WorkerSummary);
  } finally {
    for (const { child } of outputs) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

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

  it('with checkpoints in a worker thread: the writer never checkpoints itself, and committed data survives close and reopen', async () => {
    await withTempDatabase(async (path) => {
      const first = await openSqliteStore(path, { migrate: 'on-open', checkpoints: 'worker' });
      assert.deepEqual(first.connections[0]?.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 0);
      await first.transaction(async (tx) => {
        await tx.users.create(alice);
        await tx.sessions.create(session);
      });
      await first.close();
      const second = await openSqliteStore(path, { migrate: 'on-open' });
      try {
        assert.deepEqual(second.connections[0]?.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 1000);
        assert.deepEqual(await second.sessions.findWithUser(session.id), { session, user: alice });
      } finally {
        await second.close();
      }
    });
  });

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
        // Every migration, in order, on a fresh file (the list grows; the test must not pin it).
        assert.deepEqual(await migrateToLatest(bare.db), { applied: Object.keys(migrations) });
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

  it(
    'separate processes on one database file reserve concurrently without errors: exactly freeFailures pass, and none is refused below the limit',
    { timeout: 60_000 },
    async () => {
      await withTempDatabase(async (path) => {
        const setup = await openSqliteStore(path, { migrate: 'on-open' });
        await setup.close();
        const strict = { freeFailures: 50, baseDelayMs: 1_000, maxDelayMs: minuteMs, resetAfterMs: 15 * minuteMs };
        const loose = { freeFailures: 1_000, baseDelayMs: 1_000, maxDelayMs: minuteMs, resetAfterMs: 15 * minuteMs };
        const keys = { 'account:alice': strict, 'ip:shared': loose };
        const processes = 3;
        const perProcess = 60;
        const summaries = await runReserveWorkers(path, keys, processes, perProcess, 10);

        const total = (key: string) => summaries.reduce((sum, s) => sum + (s[key]?.allowed ?? 0), 0);
        const errors = summaries.flatMap((s) => Object.values(s).flatMap((entry) => entry.errors));
        assert.deepEqual(errors, [], 'no reserve may fail because another process is writing');
        assert.equal(total('account:alice'), strict.freeFailures);
        for (const s of summaries) for (const waitMs of s['account:alice']?.waits ?? []) assert.equal(waitMs, 1_000);
        assert.equal(total('ip:shared'), processes * perProcess, 'below its limit, no attempt is refused, however hard the processes race');

        const check = await openSqliteStore(path, { migrate: 'never' });
        try {
          assert.deepEqual(await check.throttle.get('account:alice'), { failures: strict.freeFailures, lastFailureAtMs: t0Ms });
          assert.deepEqual(await check.throttle.get('ip:shared'), { failures: processes * perProcess, lastFailureAtMs: t0Ms });
        } finally {
          await check.close();
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
