import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWalCheckpointer } from '../../../src/storage/sql/sqlite-checkpointer.ts';

/** Polls `condition` every 20 ms; fails after `limitMs` (a hang guard, not a timing assertion). */
async function eventually(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const giveUpAt = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) assert.fail(`never happened: ${what}`);
    await sleep(20);
  }
}

describe('WAL checkpointer', () => {
  it('starts no worker until the WAL has grown, then checkpoints in the worker; the writer never checkpoints itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-checkpointer-'));
    const path = join(dir, 'test.db');
    const writer = new DatabaseSync(path);
    writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (v TEXT)');
    const checkpointer = startWalCheckpointer(path, writer, { startAtWalBytes: 256 * 1024, pollMs: 10, pauseMs: 10 });
    try {
      assert.equal(checkpointer.state(), 'waiting');
      assert.equal(writer.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 0);
      // A few small writes stay under the threshold: still no worker.
      writer.prepare('INSERT INTO t VALUES (?)').run('small');
      await sleep(50);
      assert.equal(checkpointer.state(), 'waiting');

      const insert = writer.prepare('INSERT INTO t VALUES (?)');
      for (let i = 0; i < 200; i++) insert.run('x'.repeat(4000));
      assert.ok(statSync(`${path}-wal`).size >= 256 * 1024);
      await eventually(() => checkpointer.state() === 'running', 'the worker starts once the WAL is past the threshold');
      // The worker's PASSIVE checkpoints copy the WAL into the database file.
      await eventually(() => statSync(path).size >= 200 * 4000, 'the rows reach the database file');
      assert.equal(writer.prepare('SELECT count(*) AS n FROM t').get()?.n, 201);
    } finally {
      await checkpointer.stop();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(checkpointer.state(), 'stopped');
  });

  it('keeps the WAL bounded under a steady stream of commits: past restartAtWalBytes the writer checkpoints once between transactions, and the WAL rewinds and is cut back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-checkpointer-'));
    const path = join(dir, 'test.db');
    const writer = new DatabaseSync(path);
    writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (v TEXT)');
    const restartAtWalBytes = 512 * 1024;
    const checkpointer = startWalCheckpointer(path, writer, { startAtWalBytes: 64 * 1024, restartAtWalBytes, pollMs: 5, pauseMs: 1 });
    try {
      const insert = writer.prepare('INSERT INTO t VALUES (?)');
      let written = 0;
      for (let i = 0; i < 4000; i++) {
        writer.exec('BEGIN');
        insert.run('x'.repeat(4000));
        writer.exec('COMMIT');
        written += 4000;
        // Timers (the poll) run between bursts, as between a server's requests.
        if (i % 50 === 49) await sleep(1);
      }
      assert.equal(checkpointer.state(), 'running');
      const wal = statSync(`${path}-wal`).size;
      assert.ok(written > 10 * 1024 * 1024, 'more than 10 MB went through the WAL');
      // Without the writer's own checkpoint this run leaves a WAL of about 50 MB.
      assert.ok(wal <= 16 * restartAtWalBytes, `the WAL file is ${wal} bytes, bounded near ${restartAtWalBytes}`);
      assert.equal(writer.prepare('SELECT count(*) AS n FROM t').get()?.n, 4000);
    } finally {
      await checkpointer.stop();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints what was written before it started (migrations) and truncates the WAL, so those pages alone start no worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-checkpointer-'));
    const path = join(dir, 'test.db');
    const writer = new DatabaseSync(path);
    writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (v TEXT)');
    const insert = writer.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < 200; i++) insert.run('x'.repeat(4000));
    assert.ok(statSync(`${path}-wal`).size >= 256 * 1024, 'a migration-sized WAL before start');
    const checkpointer = startWalCheckpointer(path, writer, { startAtWalBytes: 256 * 1024, pollMs: 10, pauseMs: 10 });
    try {
      assert.equal(statSync(`${path}-wal`).size, 0, 'the WAL is truncated at start');
      assert.ok(statSync(path).size >= 200 * 4000, 'its pages are in the database file');
      await sleep(100);
      assert.equal(checkpointer.state(), 'waiting');
      assert.equal(writer.prepare('SELECT count(*) AS n FROM t').get()?.n, 200);
    } finally {
      await checkpointer.stop();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops the worker once the WAL is idle (truncated, the isolate gone), starts it again when writes resume, and stays while a reader holds the WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-checkpointer-'));
    const path = join(dir, 'test.db');
    const writer = new DatabaseSync(path);
    writer.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (v TEXT)');
    const checkpointer = startWalCheckpointer(path, writer, { startAtWalBytes: 256 * 1024, pollMs: 10, pauseMs: 10, idleMs: 100 });
    const reader = new DatabaseSync(path, { readOnly: true });
    try {
      const insert = writer.prepare('INSERT INTO t VALUES (?)');
      const burst = (): void => {
        for (let i = 0; i < 200; i++) insert.run('x'.repeat(4000));
      };
      burst();
      await eventually(() => checkpointer.state() === 'running', 'the worker starts once the WAL is past the threshold');
      await eventually(() => checkpointer.state() === 'waiting', 'the worker stops once the WAL is idle');
      assert.equal(statSync(`${path}-wal`).size, 0, 'the idle WAL is truncated');
      assert.ok(statSync(path).size >= 200 * 4000, 'its pages are in the database file');
      assert.equal(writer.prepare('PRAGMA wal_autocheckpoint').get()?.wal_autocheckpoint, 0, 'the writer still never checkpoints itself');

      // Writes resume: a new worker, and it is idle again later.
      burst();
      await eventually(() => checkpointer.state() === 'running', 'a worker starts again once the WAL grows');
      // A reader holding a snapshot in the WAL: the truncation would have to wait for it, so the worker stays.
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) AS n FROM t').get();
      await sleep(1000);
      assert.equal(checkpointer.state(), 'running', 'the worker stays while a reader uses the WAL');
      reader.exec('COMMIT');
      await eventually(() => checkpointer.state() === 'waiting', 'the worker stops once the reader is done');
      assert.equal(writer.prepare('SELECT count(*) AS n FROM t').get()?.n, 400);
    } finally {
      await checkpointer.stop();
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(checkpointer.state(), 'stopped');
  });
});
