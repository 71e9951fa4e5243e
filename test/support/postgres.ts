import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from './free-port.ts';

/**
 * Throwaway PostgreSQL servers for the tests: `initdb` into a temporary folder, `postgres` on a
 * free loopback port, removed afterwards. One server serves a whole `npm test` run
 * (scripts/with-test-servers.ts starts it and exports GATEHOUSE_TEST_POSTGRES_URL); each test
 * file or suite takes a fresh database on it with `createTestDatabase()`. The fault tests start a
 * private server of their own, because they stop and restart it.
 */

const binDirs = (): string[] => {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  // Newest version first.
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
};

function findBinary(name: string): string {
  for (const dir of binDirs()) if (existsSync(join(dir, name))) return join(dir, name);
  throw new Error(`PostgreSQL's ${name} was not found under /usr/lib/postgresql/*/bin: install Debian's postgresql package (npm test does it when run as root)`);
}

/** PostgreSQL refuses to run as root: when the tests do, the server runs as this system account. */
function serverAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'gatehouse-test']) {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
    if (line !== undefined) {
      const [, , uid, gid] = line.split(':');
      return { uid: Number(uid), gid: Number(gid) };
    }
  }
  // No `postgres` account (binaries from elsewhere): make a system account for the test servers.
  const created = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'gatehouse-test'], { encoding: 'utf8' });
  if (created.status !== 0) throw new Error(`could not create the gatehouse-test system account to run PostgreSQL as: ${created.stderr}`);
  return serverAccount();
}

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres`: the superuser on the maintenance database. */
  url: string;
  port: number;
  /** Stops the server (fast shutdown) and waits until it is gone. The data stays for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data folder (after `stop()`), resolving once it accepts connections. */
  start(): Promise<void>;
  /** Stops the server and deletes its data folder. Idempotent. */
  remove(): Promise<void>;
}

function waitForReady(child: ChildProcess, output: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: string): void => {
      output.text += chunk;
      if (output.text.includes('database system is ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        // Keep draining the log so a chatty server never blocks on a full pipe.
        child.stderr?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`postgres exited (${String(code)}) before it was ready:\n${output.text}`));
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('exit', onExit);
  });
}

/**
 * Creates and starts a PostgreSQL server in a new temporary folder. As root, the folder is
 * handed to the `postgres` account (created by Debian's package) and the server runs as it.
 *
 * @example
 * const server = await startPostgresServer();
 * after(() => server.remove());
 */
export async function startPostgresServer(): Promise<PostgresServer> {
  const initdb = findBinary('initdb');
  const postgres = findBinary('postgres');
  const account = serverAccount();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  const data = join(dir, 'data');
  if (account !== undefined) chownSync(dir, account.uid, account.gid);
  const asAccount = account === undefined ? {} : { uid: account.uid, gid: account.gid };
  const init = spawnSync(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
    encoding: 'utf8',
    ...asAccount,
    cwd: dir,
  });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${String(init.status)}): ${init.stderr}`);
  }
  const port = await findFreePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const start = async (): Promise<void> => {
    const output = { text: '' };
    // fsync off: a test server never outlives the machine, and the durability tests kill
    // Gatehouse, not PostgreSQL. Commits still go through the WAL in order.
    const started = spawn(
      postgres,
      ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'logging_collector=off'],
      { ...asAccount, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child = started;
    exited = new Promise((resolve) => {
      if (started.exitCode !== null || started.signalCode !== null) resolve();
      else started.once('exit', () => resolve());
    });
    await waitForReady(started, output);
  };
  const stop = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
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
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    remove() {
      removed ??= stop().finally(() => rmSync(dir, { recursive: true, force: true }));
      return removed;
    },
  };
}

/** The shared server of this `npm test` run; a test that needs PostgreSQL fails (never skips) without it. */
export function testPostgresUrl(): string {
  const url = process.env.GATEHOUSE_TEST_POSTGRES_URL;
  if (url === undefined || url === '') {
    throw new Error(
      'GATEHOUSE_TEST_POSTGRES_URL is not set: this test needs the throwaway PostgreSQL server that `npm test` starts. ' +
        'Run it through `npm test`, or one file with `node scripts/with-test-servers.ts node --test <file>`.',
    );
  }
  return url;
}

/**
 * A new, empty database on the server at `serverUrl` (the shared one by default), and its URL.
 * CREATE DATABASE copies the empty template: a few milliseconds.
 */
export async function createTestDatabase(serverUrl: string = testPostgresUrl()): Promise<string> {
  const name = `gatehouse_test_${randomBytes(8).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
