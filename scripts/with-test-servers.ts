// Runs a command with a throwaway PostgreSQL and Redis server for it: starts both on free
// loopback ports, exports GATEHOUSE_TEST_POSTGRES_URL and GATEHOUSE_TEST_REDIS_URL to the
// command, and stops and deletes them when the command ends (or this process is interrupted).
// `npm test` runs the whole suite through it; for one file:
//   node scripts/with-test-servers.ts node --test test/storage/sql/postgres.test.ts
import { spawn } from 'node:child_process';
import { startPostgresServer, type PostgresServer } from '../test/support/postgres.ts';
import { startRedisServer, type RedisServer } from '../test/support/redis.ts';

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  console.error('usage: node scripts/with-test-servers.ts <command> [args...]');
  process.exit(2);
}

let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;
const cleanUp = async (): Promise<void> => {
  await Promise.all([postgres?.remove(), redis?.remove()]);
};

try {
  [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
} catch (error) {
  await cleanUp();
  console.error(`test setup: could not start the test servers: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`test servers: PostgreSQL ${postgres.url}, Redis ${redis.url}`);

const child = spawn(command, args, {
  stdio: 'inherit',
  env: { ...process.env, GATEHOUSE_TEST_POSTGRES_URL: postgres.url, GATEHOUSE_TEST_REDIS_URL: redis.url },
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (child.exitCode === null) child.kill(signal);
  });
}
child.once('error', (error) => {
  console.error(`could not run ${command}: ${error.message}`);
});
const code = await new Promise<number>((resolve) => child.once('close', (exitCode, signal) => resolve(exitCode ?? (signal === null ? 1 : 128))));
await cleanUp();
process.exit(code);
