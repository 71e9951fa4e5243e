import { cpuTimes, type ChildMessage, type ParentMessage, type RunRequest, type RunResult } from '../lib/protocol.ts';

export interface ChildOptions {
  /** The port listened on, or null for a child that only computes (the argon2id baseline). */
  port: number | null;
  close(): Promise<void>;
  run?(request: RunRequest): Promise<RunResult>;
  /** Facts the parent needs (a client secret made at start-up), sent with `ready`. */
  info?: Record<string, string>;
  /** Requests received so far, sent with every CPU reading (bench/inspector-off.ts). */
  requests?: () => number;
}

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message);
}

/**
 * The child side of bench/lib/children.ts: says it is ready, answers CPU-time and run requests,
 * and exits cleanly on `stop`, SIGTERM/SIGINT, or when the parent goes away (the IPC channel
 * closes), so no server outlives `npm run bench`. A clean exit is also what makes
 * `node --cpu-prof` write its profile.
 */
export function serveParent(options: ChildOptions): void {
  if (process.send === undefined) {
    process.stderr.write('This script is started by bench/run.ts (it needs the IPC channel).\n');
    process.exit(2);
  }
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const forced = setTimeout(() => process.exit(0), 3000);
    forced.unref();
    try {
      await options.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (raw) => {
    const message = raw as ParentMessage;
    switch (message.type) {
      case 'cpu':
        send({ type: 'cpu', id: message.id, cpu: options.requests === undefined ? cpuTimes() : { ...cpuTimes(), requests: options.requests() } });
        break;
      case 'run':
        if (options.run === undefined) {
          send({ type: 'error', id: message.id, message: 'this child does not run measurements' });
          break;
        }
        options.run(message.request).then(
          (result) => send({ type: 'result', id: message.id, result }),
          (error: unknown) => send({ type: 'error', id: message.id, message: error instanceof Error ? error.message : String(error) }),
        );
        break;
      case 'stop':
        void stop();
        break;
    }
  });
  process.on('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  send({ type: 'ready', port: options.port, ...(options.info === undefined ? {} : { info: options.info }) });
}
