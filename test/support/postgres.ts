import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findFreePort } from './free-port.ts';
import { sharedServerUrl, superviseServer, type ThrowawayServer } from './throwaway-server.ts';

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

/** `url` is `postgres://postgres@127.0.0.1:PORT/postgres`: the superuser on the maintenance database. */
export type PostgresServer = ThrowawayServer;

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
  return superviseServer({
    name: 'postgres',
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    // fsync off: a test server never outlives the machine, and the durability tests kill
    // Gatehouse, not PostgreSQL. Commits still go through the WAL in order.
    launch: () =>
      spawn(
        postgres,
        ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300', '-c', 'logging_collector=off'],
        { ...asAccount, cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    readyStream: 'stderr',
    readyText: 'database system is ready to accept connections',
    stopSignal: 'SIGINT',
    installHint: "install Debian's postgresql package; npm test does it when run as root",
  });
}

/** The shared server of this `npm test` run; a test that needs PostgreSQL fails (never skips) without it. */
export function testPostgresUrl(): string {
  return sharedServerUrl('GATEHOUSE_TEST_POSTGRES_URL', 'PostgreSQL');
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
