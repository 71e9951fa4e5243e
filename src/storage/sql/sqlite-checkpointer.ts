import type { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses 1,000 WAL pages, on the committing connection: it copies the pages into the database
 * file and fsyncs both files. node:sqlite is synchronous, so that fsync stalled the whole event
 * loop (bench: a write transaction took ~90 us of CPU but ~180-260 us of wall time, the rest
 * waiting on checkpoint fsyncs). Here the writer's automatic checkpoint is switched off and a
 * worker thread with its own connection runs a PASSIVE checkpoint every `pauseMs` instead.
 *
 * Durability is unchanged: a commit is in the WAL before COMMIT returns either way (WAL,
 * synchronous=NORMAL: a process crash loses nothing committed), and checkpoints still fsync.
 * If the worker fails to start or dies, the writer's automatic checkpoint is switched back on,
 * so the WAL never grows without bound.
 */
export function startWalCheckpointer(path: string, writer: DatabaseSync, pauseMs = 100): { stop(): Promise<void> } {
  const automatic = (): void => {
    if (writer.isOpen) writer.exec('PRAGMA wal_autocheckpoint = 1000');
  };
  writer.exec('PRAGMA wal_autocheckpoint = 0');
  const worker = new Worker(new URL('./sqlite-checkpoint-worker.ts', import.meta.url), { workerData: { path, pauseMs } });
  worker.unref();
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      if (!stopping) automatic();
      resolve();
    });
  });
  worker.on('error', () => {
    if (!stopping) automatic();
  });
  return {
    async stop() {
      stopping = true;
      // Held open while it finishes: an unref'd worker would let the process end mid-close.
      worker.ref();
      worker.postMessage({ type: 'stop' });
      await exited;
    },
  };
}
