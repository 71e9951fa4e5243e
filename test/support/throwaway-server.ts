import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/** A server process of the tests (PostgreSQL, Redis) in a temporary folder of its own. */
export interface ThrowawayServer {
  url: string;
  port: number;
  /** Stops the server and waits until it is gone. Its folder stays, for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (after `stop()`), resolving once it is ready. */
  start(): Promise<void>;
  /** Stops the server and deletes its folder. Idempotent. */
  remove(): Promise<void>;
}

export interface SupervisedServerOptions {
  /** For messages: `postgres`, `redis-server`. */
  name: string;
  url: string;
  port: number;
  /** Deleted by `remove()`, and at once if the first start fails. */
  dir: string;
  /** Spawns the server, with the stream that announces readiness piped. */
  launch: () => ChildProcess;
  readyStream: 'stdout' | 'stderr';
  /** The line the server logs once it accepts connections. */
  readyText: string;
  stopSignal: NodeJS.Signals;
  /** What to do when the program cannot be run at all. */
  installHint: string;
}

/** Resolves once `readyText` appears; fails with everything the server said if it exits first. */
function waitForReady(child: ChildProcess, options: SupervisedServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = child[options.readyStream];
    let output = '';
    const onData = (chunk: string): void => {
      output += chunk;
      if (output.includes(options.readyText)) {
        ready?.off('data', onData);
        child.off('exit', onExit);
        // Keep draining the log so a chatty server never blocks on a full pipe.
        ready?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`${options.name} exited (${String(code)}) before it was ready:\n${output}`));
    ready?.setEncoding('utf8').on('data', onData);
    const other = child[options.readyStream === 'stdout' ? 'stderr' : 'stdout'];
    other?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('exit', onExit);
    child.once('error', (error) => reject(new Error(`could not run ${options.name} (${options.installHint}): ${error.message}`)));
  });
}

/**
 * Starts a server process and hands back its lifecycle: stop, start again on the same port and
 * data, remove. Shared by the PostgreSQL and Redis test servers.
 *
 * @example
 * const server = await superviseServer({ name: 'redis-server', url, port, dir, launch, readyStream: 'stdout', readyText: 'Ready to accept connections', stopSignal: 'SIGTERM', installHint: '...' });
 */
export async function superviseServer(options: SupervisedServerOptions): Promise<ThrowawayServer> {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = async (): Promise<void> => {
    const started = options.launch();
    child = started;
    exited = new Promise((resolve) => {
      if (started.exitCode !== null || started.signalCode !== null) resolve();
      else started.once('exit', () => resolve());
    });
    await waitForReady(started, options);
  };
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill(options.stopSignal);
    await exited;
  };
  const removeDir = (): void => rmSync(options.dir, { recursive: true, force: true });
  try {
    await start();
  } catch (error) {
    removeDir();
    throw error;
  }
  let removed: Promise<void> | undefined;
  return {
    url: options.url,
    port: options.port,
    start,
    stop,
    remove() {
      removed ??= stop().finally(removeDir);
      return removed;
    },
  };
}

/** The URL of the run's shared server from `variable`; a test that needs it fails (never skips) without it. */
export function sharedServerUrl(variable: string, what: string): string {
  const url = process.env[variable];
  if (url === undefined || url === '') {
    throw new Error(
      `${variable} is not set: this test needs the throwaway ${what} server that \`npm test\` starts. ` +
        'Run it through `npm test`, or one file with `npx node scripts/with-test-servers.ts node --test <file>`.',
    );
  }
  return url;
}
