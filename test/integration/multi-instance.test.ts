// Scale-out (issue 6): three `gatehouse serve` processes share one PostgreSQL database and one
// Redis, the way N instances run behind a reverse proxy (one public URL, one secret). What one
// instance does, the others see: sessions, revocations (also on SDK feeds connected to other
// instances), the refresh-token grace window, and per-account lockouts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createClient } from '../../src/core/clients/create-client.ts';
import { openPostgresStore } from '../../src/storage/sql/postgres.ts';
import { createTestCore, testPassword } from '../support/core-deps.ts';
import { api, cliEnv, cliPublicUrl, killAllServes, startServe, type ServeProcess } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { testRedisPrefix, testRedisUrl } from '../support/redis.ts';
import { startWorker, type Worker } from './support/verifier-process.ts';

const audience = 'https://api.example.com';

async function tokenRequest(baseUrl: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('three instances on one PostgreSQL and one Redis', { timeout: 120_000 }, () => {
  let databaseUrl: string;
  let prefix: string;
  let env: Record<string, string>;
  let a: ServeProcess;
  let b: ServeProcess;
  let c: ServeProcess;
  let feedSecret: string;
  const workers: Worker[] = [];
  const redis = new Redis(testRedisUrl());

  before(async () => {
    databaseUrl = await createTestDatabase();
    prefix = testRedisPrefix();
    env = cliEnv(databaseUrl, {
      // One secret for all: they sign and check the same cookies, tokens and throttle keys.
      GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
      GATEHOUSE_REDIS: testRedisUrl(),
      GATEHOUSE_REDIS_KEY_PREFIX: prefix,
      GATEHOUSE_POSTGRES_POOL_MAX: '4',
      // 3 free failures per account, then a minute: a lockout that holds for the whole test.
      GATEHOUSE_RATE_LIMIT_ACCOUNT_FREE_FAILURES: '3',
      GATEHOUSE_RATE_LIMIT_ACCOUNT_BASE_DELAY_SECONDS: '60',
    });
    // Started together on a new database: the migration lock lets exactly one of them migrate.
    [a, b, c] = await Promise.all([startServe(env), startServe(env), startServe(env)]);
    // The clients, written straight into the shared database (a fourth "instance").
    const store = await openPostgresStore(databaseUrl, { migrate: 'never', pool: { maxConnections: 2 } });
    try {
      const core = await createTestCore({ store });
      await createClient(core, { id: 'web', name: 'Web', type: 'public', grantTypes: ['password', 'refresh_token'], audience });
      feedSecret = (await createClient(core, { id: 'notes-api', name: 'Notes API', type: 'confidential', grantTypes: ['session'], audience })).secret as string;
    } finally {
      await store.close();
    }
  });
  after(async () => {
    for (const w of workers) w.child.kill();
    await killAllServes();
    redis.disconnect();
  });

  it('a login on A is valid on B and C', async () => {
    const signUp = await api(a.url, 'POST', '/v1/users', { body: { email: 'multi@example.com', password: testPassword } });
    assert.equal(signUp.status, 202, 'sign-up answers alike for new and taken addresses, and never logs in');
    const login = await api(a.url, 'POST', '/v1/session', { body: { email: 'multi@example.com', password: testPassword } });
    assert.equal(login.status, 200);
    for (const server of [a, b, c]) {
      const check = await api(server.url, 'GET', '/v1/session', { token: login.sessionToken as string });
      assert.equal(check.status, 200, `session refused on ${server.url}`);
    }
  });

  it('a session revoked on C is refused on A and B, and reaches SDK feeds connected to A and B (SEC-60)', async () => {
    await api(a.url, 'POST', '/v1/users', { body: { email: 'revoke@example.com', password: testPassword } });
    const keeper = await api(b.url, 'POST', '/v1/session', { body: { email: 'revoke@example.com', password: testPassword } });
    const grant = await tokenRequest(a.url, { grant_type: 'password', client_id: 'web', username: 'revoke@example.com', password: testPassword });
    assert.equal(grant.status, 200);
    const accessToken = grant.body.access_token as string;

    // One verifier follows A's feed, one B's; both take the keys from A. The issuer is the shared public URL.
    for (const server of [a, b]) {
      workers.push(
        startWorker({
          ISSUER: cliPublicUrl,
          AUDIENCE: audience,
          JWKS_URI: `${a.url}/.well-known/jwks.json`,
          FEED_URL: `${server.url}/v1/revocations`,
          FEED_CLIENT_ID: 'notes-api',
          FEED_CLIENT_SECRET: feedSecret,
        }),
      );
    }
    await Promise.all(workers.map((w) => w.next((m) => m.type === 'ready')));
    const accepted = await Promise.all(workers.map((w) => w.verify(accessToken)));
    for (const result of accepted) assert.equal(result.ok, true, JSON.stringify(result));
    const sid = accepted[0]?.sid as string;

    const sessions = await api(c.url, 'GET', '/v1/sessions', { token: keeper.sessionToken as string });
    assert.ok((sessions.body as { sessions: Array<{ id: string }> }).sessions.some((s) => s.id === sid));
    const revoke = await api(c.url, 'DELETE', `/v1/sessions/${sid}`, { token: keeper.sessionToken as string });
    assert.equal(revoke.status, 204);

    await Promise.all(workers.map((w) => w.next((m) => m.type === 'revocation' && m.sid === sid)));
    const refused = await Promise.all(workers.map((w) => w.verify(accessToken)));
    for (const result of refused) assert.deepEqual({ ok: result.ok, code: result.code }, { ok: false, code: 'token_revoked' });
    for (const server of [a, b]) {
      const introspect = await tokenRequest(server.url, { grant_type: 'refresh_token', client_id: 'web', refresh_token: grant.body.refresh_token as string });
      assert.equal(introspect.status, 400, 'the revoked session still refreshes');
      assert.equal(introspect.body.error, 'invalid_grant');
    }
    // The keeper session, on every instance, is untouched.
    for (const server of [a, b, c]) assert.equal((await api(server.url, 'GET', '/v1/session', { token: keeper.sessionToken as string })).status, 200);
  });

  it('a logout on C is refused on A and B (the cookie replayed after logout) (SEC-60)', async () => {
    await api(a.url, 'POST', '/v1/users', { body: { email: 'logout@example.com', password: testPassword } });
    const login = await api(a.url, 'POST', '/v1/session', { body: { email: 'logout@example.com', password: testPassword } });
    assert.equal((await api(c.url, 'DELETE', '/v1/session', { token: login.sessionToken as string })).status, 204);
    for (const server of [a, b]) assert.equal((await api(server.url, 'GET', '/v1/session', { token: login.sessionToken as string })).status, 401);
  });

  it('the same refresh token sent to A and B at once: both succeed with the same successor, and the family lives on', async () => {
    await api(a.url, 'POST', '/v1/users', { body: { email: 'race@example.com', password: testPassword } });
    const grant = await tokenRequest(c.url, { grant_type: 'password', client_id: 'web', username: 'race@example.com', password: testPassword });
    assert.equal(grant.status, 200);
    const presented = grant.body.refresh_token as string;
    const form = { grant_type: 'refresh_token', client_id: 'web', refresh_token: presented };
    const [onA, onB] = await Promise.all([tokenRequest(a.url, form), tokenRequest(b.url, form)]);
    assert.equal(onA.status, 200, JSON.stringify(onA.body));
    assert.equal(onB.status, 200, JSON.stringify(onB.body));
    assert.equal(onA.body.refresh_token, onB.body.refresh_token, 'two live families (or two successors) from one refresh token');
    assert.notEqual(onA.body.refresh_token, presented);
    // No family revocation: the successor rotates again, on the third instance.
    const next = await tokenRequest(c.url, { ...form, refresh_token: onA.body.refresh_token as string });
    assert.equal(next.status, 200, JSON.stringify(next.body));
  });

  it('an account locked out through A stays locked on B and C; the counter lives in Redis, not in the database (SEC-60)', async () => {
    await api(a.url, 'POST', '/v1/users', { body: { email: 'locked@example.com', password: testPassword } });
    for (let i = 0; i < 3; i++) {
      const wrong = await api(a.url, 'POST', '/v1/session', { body: { email: 'locked@example.com', password: 'not the right password at all' } });
      assert.equal(wrong.status, 401);
    }
    assert.equal((await api(a.url, 'POST', '/v1/session', { body: { email: 'locked@example.com', password: testPassword } })).status, 429);
    for (const server of [b, c]) {
      const right = await api(server.url, 'POST', '/v1/session', { body: { email: 'locked@example.com', password: testPassword } });
      assert.equal(right.status, 429, `the lockout did not hold on ${server.url}`);
      assert.equal(right.sessionToken, undefined);
    }
    assert.ok((await redis.keys(`${prefix}throttle:account:*`)).length >= 1, 'no account counter in Redis');
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const rows = await client.query("select count(*)::int as n from throttle where key like 'account:%'");
      assert.equal(rows.rows[0].n, 0, 'with Redis up, account counters belong in Redis');
    } finally {
      await client.end();
    }
  });

  it('/readyz on each instance shows the pool use and Redis', async () => {
    for (const server of [a, b, c]) {
      const ready = await api(server.url, 'GET', '/readyz');
      assert.equal(ready.status, 200);
      const details = (ready.body as { details: { database: string; pool: { max: number; total: number }; redis: string } }).details;
      assert.equal(details.database, 'postgresql');
      assert.equal(details.pool.max, 4);
      assert.ok(details.pool.total >= 1 && details.pool.total <= 4);
      assert.equal(details.redis, 'connected');
    }
  });
});
