// The worker side of sqlite-checkpointer.ts: its own connection, a passive WAL checkpoint, a
// pause, again, until told to stop. Not imported anywhere; started as a worker thread.
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';

const { path, pauseMs } = workerData as { path: string; pauseMs: number };
const connection = new DatabaseSync(path, { enableForeignKeyConstraints: true });
connection.exec('PRAGMA busy_timeout = 5000;');
// PASSIVE never waits for readers or the writer: it copies what it can and returns.
const checkpoint = connection.prepare('PRAGMA wal_checkpoint(PASSIVE)');

let timer: NodeJS.Timeout | undefined;
const tick = (): void => {
  try {
    checkpoint.get();
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
  timer = setTimeout(tick, pauseMs);
};
parentPort?.on('message', (message: { type: string }) => {
  if (message.type !== 'stop') return;
  clearTimeout(timer);
  connection.close();
  parentPort?.close();
});
tick();
