import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../src/core/clients/create-client.ts';
import { openPostgresStore } from '../../src/storage/sql/postgres.ts';
import { createTestCore, testPassword } from '../support/core-deps.ts';
import { api, cliEnv, killAllServes, startServe, type ServeProcess } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { testRedisPrefix, testRedisUrl } from '../support/redis.ts';

/**
 * docs/security.md SEC-54 and SEC-56 on PostgreSQL (+ Redis): `kill -9` of an instance right after it
 * acknowledged a logout, a revoke or a refresh rotation -> the effect holds for the instance
 * started next on the same database. A 2xx means committed.
 */

async function refresh(baseUrl: string, refreshToken: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: 'web', refresh_token: refreshToken }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('kill -9 of an instance on PostgreSQL right after a 2xx', { timeout: 120_000 }, () => {
  let env: Record<string, string>;
  before(async () => {
    const databaseUrl = await createTestDatabase();
    env = cliEnv(databaseUrl, { GATEHOUSE_REDIS: testRedisUrl(), GATEHOUSE_REDIS_KEY_PREFIX: testRedisPrefix(), GATEHOUSE_POSTGRES_POOL_MAX: '4' });
    const store = await openPostgresStore(databaseUrl, { migrate: 'on-open', pool: { maxConnections: 2 } });
    try {
      await createClient(await createTestCore({ store }), { id: 'web', name: 'Web', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    } finally {
      await store.close();
    }
  });
  after(() => killAllServes());

  async function crashAndRestart(server: ServeProcess): Promise<ServeProcess> {
    await server.kill('SIGKILL');
    assert.equal(server.child.signalCode, 'SIGKILL');
    return startServe(env);
  }

  it('logout, revoke and a refresh rotation each survive a kill -9 of the instance that acknowledged them', async () => {
    let server = await startServe(env);
    const email = 'durable-pg@example.com';
    assert.equal((await api(server.url, 'POST', '/v1/users', { body: { email, password: testPassword } })).status, 202);
    const kept = await api(server.url, 'POST', '/v1/session', { body: { email, password: testPassword } });
    assert.equal(kept.status, 200);
    const keptToken = kept.sessionToken as string;

    // Logout, then kill -9 at once.
    const loggedOut = await api(server.url, 'POST', '/v1/session', { body: { email, password: testPassword } });
    assert.equal((await api(server.url, 'DELETE', '/v1/session', { token: loggedOut.sessionToken as string })).status, 204);
    server = await crashAndRestart(server);
    assert.equal((await api(server.url, 'GET', '/v1/session', { token: loggedOut.sessionToken as string })).status, 401, 'the logged-out session came back');
    assert.equal((await api(server.url, 'GET', '/v1/session', { token: keptToken })).status, 200, 'the other session was lost');

    // Revoke another session, then a refresh rotation, then kill -9 at once: both must hold.
    const revoked = await api(server.url, 'POST', '/v1/session', { body: { email, password: testPassword } });
    const revokedId = (revoked.body as { session: { id: string } }).session.id;
    assert.equal((await api(server.url, 'DELETE', `/v1/sessions/${revokedId}`, { token: keptToken })).status, 204);

    const grant = await fetch(`${server.url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', client_id: 'web', username: email, password: testPassword }),
    });
    assert.equal(grant.status, 200);
    const first = ((await grant.json()) as { refresh_token: string }).refresh_token;
    const rotated = await refresh(server.url, first);
    assert.equal(rotated.status, 200);
    const successor = rotated.body.refresh_token as string;
    server = await crashAndRestart(server);
    assert.equal((await api(server.url, 'GET', '/v1/session', { token: revoked.sessionToken as string })).status, 401, 'the revoked session came back');
    // The successor was stored and the presented token marked used, together.
    const next = await refresh(server.url, successor);
    assert.equal(next.status, 200, `the acknowledged successor was lost: ${JSON.stringify(next.body)}`);
    const replay = await refresh(server.url, first);
    assert.equal(replay.status, 400, 'the rotated token is live again after kill -9');
    assert.equal(replay.body.error, 'invalid_grant');
  });
});
