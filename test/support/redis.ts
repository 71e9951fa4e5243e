import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port.ts';
import { sharedServerUrl, superviseServer, type ThrowawayServer } from './throwaway-server.ts';

/**
 * Throwaway Redis servers for the tests: `redis-server` on a free loopback port with no
 * persistence, in a temporary folder removed afterwards. One serves a whole `npm test` run
 * (GATEHOUSE_TEST_REDIS_URL); tests keep apart with a key prefix of their own
 * (`testRedisPrefix()`). The fault tests start a private one, because they stop it.
 */

/** `url` is `redis://127.0.0.1:PORT`. */
export type RedisServer = ThrowawayServer;

/**
 * @example
 * const redis = await startRedisServer();
 * after(() => redis.remove());
 */
export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-redis-'));
  const port = await findFreePort();
  return superviseServer({
    name: 'redis-server',
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    launch: () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no'], {
        cwd: dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    readyStream: 'stdout',
    readyText: 'Ready to accept connections',
    stopSignal: 'SIGTERM',
    installHint: "install Debian's redis-server package; npm test does it when run as root",
  });
}

/** The shared Redis of this `npm test` run; a test that needs Redis fails (never skips) without it. */
export function testRedisUrl(): string {
  return sharedServerUrl('GATEHOUSE_TEST_REDIS_URL', 'Redis');
}

/** A key prefix of its own, so tests sharing one Redis never see each other's keys or channels. */
export function testRedisPrefix(): string {
  return `gatehouse-test-${randomBytes(6).toString('hex')}:`;
}
