import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.ts';

/**
 * Throwaway Redis servers for the tests: `redis-server` on a free loopback port with no
 * persistence, in a temporary folder removed afterwards. One serves a whole `npm test` run
 * (GATEHOUSE_TEST_REDIS_URL); tests keep apart with a key prefix of their own
 * (`testRedisPrefix()`). The fault tests start a private one, because they stop it.
 */

export interface RedisServer {
  /** `redis://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** Stops the server and waits until it is gone. `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its folder. Idempotent. */
  remove(): Promise<void>;
}

/**
 * @example
 * const redis = await startRedisServer();
 * after(() => redis.remove());
 */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  const port = await findFreePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = started;
      exited = new Promise((done) => started.once('exit', () => done()));
      let output = '';
      const onData = (chunk: string): void => {
        output += chunk;
        if (output.includes('Ready to accept connections')) {
          started.stdout.off('data', onData);
          started.off('exit', onExit);
          started.stdout.resume();
          resolve();
        }
      };
      const onExit = (code: number | null): void => reject(new Error(`redis-server exited (${String(code)}) before it was ready:\n${output}`));
      started.stdout.setEncoding('utf8').on('data', onData);
      started.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      started.once('exit', onExit);
      started.once('error', (error) =>
        reject(new Error(`could not run redis-server (install Debian's redis-server package; npm test does it when run as root): ${error.message}`)),
      );
    });
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let removed: Promise<void> | undefined;
  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    remove() {
      removed ??= stop().finally(() => rmSync(dir, { recursive: true, force: true }));
      return removed;
    },
  };
}

/** The shared Redis of this `npm test` run; a test that needs Redis fails (never skips) without it. */
export function testRedisUrl(): string {
  const url = process.env.GATEHOUSE_TEST_REDIS_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'GATEHOUSE_TEST_REDIS_URL is not set: this test needs the throwaway Redis server that `npm test` starts. ' +
        'Run it through `npm test`, or one file with `node scripts/with-test-servers.ts node --test <file>`.',
    );
  }
  return url;
}

/** A key prefix of its own, so tests sharing one Redis never see each other's keys or channels. */
export function testRedisPrefix(): string {
  return `gatehouse-test-${randomBytes(6).toString('hex')}:`;
}
