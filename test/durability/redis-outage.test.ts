import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { loadConfig } from '../../src/config/load-config.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';
import { createGatehouse, createLogger, type Gatehouse } from '../../src/main.ts';
import { testPassword } from '../support/core-deps.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { startRedisServer, testRedisPrefix, type RedisServer } from '../support/redis.ts';

/**
 * Redis stops in the middle of a run and comes back. Meanwhile Gatehouse keeps serving from
 * PostgreSQL, rate limits fall back to the database (never "unlimited"), and it says so in the
 * logs; when Redis is back it is picked up again by itself. Redis here is a private server
 * (this test stops it); PostgreSQL is the shared one of the run.
 */

const publicUrl = 'https://auth.example.com';
const json = { origin: publicUrl, 'content-type': 'application/json' } as const;
const wrongPassword = 'definitely not the password';

describe('Redis unreachable mid-run, then back', { timeout: 60_000 }, () => {
  let redisServer: RedisServer;
  let databaseUrl: string;
  let gatehouse: Gatehouse;
  let prefix: string;
  const logLines: string[] = [];
  const logWaiters: Array<() => void> = [];

  /** Resolves once a log line matching `pattern` was written (already or later). */
  async function logged(pattern: RegExp): Promise<string> {
    for (;;) {
      const line = logLines.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      await new Promise<void>((resolve) => logWaiters.push(resolve));
    }
  }

  const logIn = (email: string, password: string) => gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: { email, password } });
  const signUp = async (email: string): Promise<string> => {
    const signedUp = await gatehouse.app.inject({ method: 'POST', url: '/v1/users', headers: json, payload: { email, password: testPassword } });
    assert.equal(signedUp.statusCode, 202, signedUp.body);
    const response = await logIn(email, testPassword);
    assert.equal(response.statusCode, 200, response.body);
    return response.cookies.find((c) => c.name === sessionCookieName)?.value as string;
  };
  const databaseThrottleRows = async (): Promise<number> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query("select count(*)::int as n from throttle where key like 'account:%'")).rows[0].n as number;
    } finally {
      await client.end();
    }
  };

  before(async () => {
    redisServer = await startRedisServer();
    databaseUrl = await createTestDatabase();
    prefix = testRedisPrefix();
    const config = loadConfig({
      env: {
        GATEHOUSE_DATABASE: databaseUrl,
        GATEHOUSE_REDIS: redisServer.url,
        GATEHOUSE_REDIS_KEY_PREFIX: prefix,
        GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
        GATEHOUSE_PUBLIC_URL: publicUrl,
        GATEHOUSE_LOG_LEVEL: 'info',
        GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
        GATEHOUSE_RATE_LIMIT_ACCOUNT_FREE_FAILURES: '2',
        GATEHOUSE_RATE_LIMIT_ACCOUNT_BASE_DELAY_SECONDS: '60',
      },
    });
    const stream = new PassThrough();
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      logLines.push(...chunk.split('\n').filter(Boolean));
      for (const wake of logWaiters.splice(0)) wake();
    });
    gatehouse = await createGatehouse(config, createLogger(config, stream));
  });
  after(async () => {
    await gatehouse?.close();
    await redisServer?.remove();
  });

  it('keeps serving from the database, locks accounts in the database, warns, and picks Redis up again (SEC-60)', async () => {
    const token = await signUp('outage@example.com');
    await signUp('after@example.com');
    const ready = await gatehouse.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.json<{ details: { redis: string } }>().details.redis, 'connected');

    await redisServer.stop();
    const warning = JSON.parse(await logged(/Redis unreachable/)) as { level: number; msg: string };
    assert.equal(warning.level, 40, 'the outage is logged as a warning');

    // Sessions and logins are the database's business: unaffected.
    const check = await gatehouse.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `${sessionCookieName}=${token}` } });
    assert.equal(check.statusCode, 200);
    assert.equal((await logIn('outage@example.com', testPassword)).statusCode, 200);
    const readyDuring = await gatehouse.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(readyDuring.statusCode, 200, 'Redis is optional: the instance stays ready');
    assert.match(readyDuring.json<{ details: { redis: string } }>().details.redis, /unreachable/);

    // Rate limits still hold, counted in the database: never "unlimited".
    for (let i = 0; i < 2; i++) assert.equal((await logIn('outage@example.com', wrongPassword)).statusCode, 401);
    const locked = await logIn('outage@example.com', testPassword);
    assert.equal(locked.statusCode, 429, 'no lockout while Redis is down');
    assert.equal(locked.cookies.find((c) => c.name === sessionCookieName && c.value !== ''), undefined);
    assert.ok((await databaseThrottleRows()) >= 1, 'the fallback counters are in the database');

    await redisServer.start();
    await logged(/Redis reachable again/);
    const readyAfter = await gatehouse.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(readyAfter.json<{ details: { redis: string } }>().details.redis, 'connected');

    // The lock earned during the outage still holds with Redis back.
    assert.equal((await logIn('outage@example.com', testPassword)).statusCode, 429, 'the lockout was forgotten when Redis came back');
    // New failures are counted in Redis again.
    assert.equal((await logIn('after@example.com', wrongPassword)).statusCode, 401);
    const redis = new Redis(redisServer.url);
    try {
      assert.equal((await redis.keys(`${prefix}throttle:account:*`)).length, 1, 'failures after the outage are not counted in Redis');
    } finally {
      redis.disconnect();
    }
  });
});
