import { stat } from 'node:fs/promises';
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
 * The worker is started only once the WAL has grown past `startAtWalBytes` (checked every
 * `pollMs`): a worker thread is a second V8 isolate (~18 MB of RSS), which an idle server, or
 * one that barely writes, does not need. Its code is plain JavaScript, so the worker does not
 * load the TypeScript stripper as well (that alone was another ~10 MB). What start-up itself wrote
 * (migrating a new or upgraded database writes ~1.2 MB of WAL) is checkpointed once, on the writer,
 * before the server listens: otherwise those pages alone would start the worker on every fresh
 * install and upgrade, and the idle server would keep its isolate for nothing.
 *
 * Once the WAL has been idle for `idleMs` (no new frames, every frame copied), the worker truncates
 * it and exits: a server that wrote in a burst gets the isolate's memory back, and the poll starts
 * a new worker when the WAL grows past `startAtWalBytes` again. The truncation runs in the worker
 * and never waits: if the writer or a reader is busy at that moment, the worker stays and tries
 * again after another idle stretch.
 *
 * Durability is unchanged: a commit is in the WAL before COMMIT returns either way (WAL,
 * synchronous=NORMAL: a process crash loses nothing committed), and checkpoints still fsync.
 * If the worker fails to start or dies, the writer's automatic checkpoint is switched back on,
 * so the WAL never grows without bound.
 *
 * Under a steady stream of writes the worker alone would let the WAL grow without bound (the
 * bench saw 450 MB in minutes, every read slower for it): SQLite rewinds the WAL to its start
 * only when a write transaction begins with every frame already copied, and with commits landing
 * while the worker copies, that never happens. So once the WAL file passes `restartAtWalBytes`,
 * the writer itself runs one PASSIVE checkpoint between two of its transactions (nothing can
 * commit in between: the writer is this thread's), its next write rewinds the WAL, and
 * `journal_size_limit` cuts the file back to that size.
 */
export interface WalCheckpointer {
  /** `waiting` until the WAL first grows past the threshold; `automatic` once the worker failed and the writer checkpoints itself again. */
  state(): 'waiting' | 'running' | 'automatic' | 'stopped';
  stop(): Promise<void>;
}

export interface WalCheckpointerOptions {
  pauseMs?: number;
  startAtWalBytes?: number;
  /** Past this WAL file size, the writer checkpoints once itself so the WAL can rewind (see above). */
  restartAtWalBytes?: number;
  pollMs?: number;
  /** After this long with nothing new in the WAL, the worker truncates it and exits. */
  idleMs?: number;
}

// The worker: its own connection, a passive WAL checkpoint, a pause, again, until told to stop.
// PASSIVE never waits for readers or the writer: it copies what it can and returns. Once a pass
// has found the WAL unchanged and fully copied for idleMs, a TRUNCATE with no busy wait: it takes
// the write lock only if it is free (else it is a PASSIVE one), has nothing left to copy, and
// succeeds (busy 0, an empty log) only with no reader on the WAL; then the worker says so and
// waits to be stopped.
const workerSource = `
const { DatabaseSync } = require('node:sqlite');
const { parentPort, workerData } = require('node:worker_threads');
const connection = new DatabaseSync(workerData.path, { enableForeignKeyConstraints: true });
connection.exec('PRAGMA busy_timeout = 5000;');
const checkpoint = connection.prepare('PRAGMA wal_checkpoint(PASSIVE)');
let timer;
let lastLog = -1;
let quietSince;
const truncated = () => {
  connection.exec('PRAGMA busy_timeout = 0;');
  try {
    const result = connection.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get();
    return result.busy === 0 && result.log === 0;
  } finally {
    connection.exec('PRAGMA busy_timeout = 5000;');
  }
};
const tick = () => {
  try {
    const { log, checkpointed } = checkpoint.get();
    const quiet = log === lastLog && checkpointed === log;
    lastLog = log;
    if (!quiet) quietSince = undefined;
    else if (quietSince === undefined) quietSince = Date.now();
    else if (Date.now() - quietSince >= workerData.idleMs) {
      quietSince = undefined;
      if (truncated()) {
        parentPort.postMessage({ type: 'idle' });
        return;
      }
    }
  } catch (error) {
    parentPort.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  timer = setTimeout(tick, workerData.pauseMs);
};
parentPort.on('message', (message) => {
  if (message.type !== 'stop') return;
  clearTimeout(timer);
  connection.close();
  parentPort.close();
});
tick();
`;

export function startWalCheckpointer(path: string, writer: DatabaseSync, options: WalCheckpointerOptions = {}): WalCheckpointer {
  const { pauseMs = 100, startAtWalBytes = 1024 * 1024, restartAtWalBytes = 16 * 1024 * 1024, pollMs = 1000, idleMs = 30_000 } = options;
  // About a poll's worth of 1 ms retries: a worker's pass is over well within that.
  const rewindAttempts = Math.max(10, Math.min(500, pollMs));
  let state: ReturnType<WalCheckpointer['state']> = 'waiting';
  const automatic = (): void => {
    state = 'automatic';
    if (writer.isOpen) writer.exec('PRAGMA wal_autocheckpoint = 1000');
  };
  // Once, at start-up: copy what migrations wrote into the database file and truncate the WAL.
  // A failure (another process holding a read past busy_timeout) only leaves the WAL as it was.
  try {
    writer.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  } catch {
    // the worker starts on the WAL's size, as before
  }
  writer.exec('PRAGMA wal_autocheckpoint = 0');
  writer.exec(`PRAGMA journal_size_limit = ${restartAtWalBytes}`);

  let worker: Worker | undefined;
  let exited: Promise<void> = Promise.resolve();
  const startWorker = (): void => {
    state = 'running';
    const started = new Worker(workerSource, { eval: true, workerData: { path, pauseMs, idleMs } });
    started.unref();
    worker = started;
    exited = new Promise<void>((resolve) => {
      // Only the current worker's end counts: one that went idle may still be closing when the next starts.
      started.once('exit', () => {
        if (worker !== started) return resolve();
        worker = undefined;
        if (state === 'running') automatic();
        resolve();
      });
    });
    started.on('error', () => {
      if (worker === started && state === 'running') automatic();
    });
    // Idle, the WAL truncated: back to waiting for it to grow (the poll), and this worker ends.
    started.on('message', (message: { type: string }) => {
      if (message.type !== 'idle' || state !== 'running' || worker !== started) return;
      state = 'waiting';
      started.postMessage({ type: 'stop' });
    });
  };

  // Between two of the writer's transactions: copy what the worker has not, so the next write rewinds.
  // When the worker holds the checkpoint lock mid-pass (busy), or a transaction is open, it tries
  // again a moment later rather than at the next poll: a second later the WAL has grown by another
  // second of commits, the worker's passes grow longer with it, and the misses fed on themselves
  // (a WAL of hundreds of MB under a steady stream of refresh grants). A failure (another process
  // holding a read) only leaves the WAL to the next poll.
  let rewinding = false;
  const rewindWal = (attempt = 0): void => {
    rewinding = false;
    if (!writer.isOpen || state !== 'running') return;
    let done = false;
    if (!writer.isTransaction) {
      try {
        const result = writer.prepare('PRAGMA wal_checkpoint(PASSIVE)').get() as { busy: number; log: number; checkpointed: number } | undefined;
        done = result === undefined || (result.busy === 0 && result.checkpointed >= result.log);
      } catch {
        return; // the next poll tries again
      }
    }
    if (done || attempt >= rewindAttempts) return;
    rewinding = true;
    setTimeout(() => rewindWal(attempt + 1), 1).unref();
  };
  const poll = setInterval(() => {
    stat(`${path}-wal`).then(
      (wal) => {
        if (state === 'waiting' && wal.size >= startAtWalBytes) startWorker();
        else if (state === 'running' && wal.size > restartAtWalBytes && !rewinding) rewindWal();
      },
      () => {}, // no WAL file yet: nothing written
    );
  }, pollMs);
  poll.unref();

  return {
    state: () => state,
    async stop() {
      clearInterval(poll);
      const running = worker;
      state = 'stopped';
      if (running === undefined) return;
      // Held open while it finishes: an unref'd worker would let the process end mid-close.
      running.ref();
      running.postMessage({ type: 'stop' });
      await exited;
    },
  };
}
