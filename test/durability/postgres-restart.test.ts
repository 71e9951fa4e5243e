import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/load-config.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';
import { createGatehouse, type Gatehouse } from '../../src/main.ts';
import { testPassword } from '../support/core-deps.ts';
import { createTestDatabase, startPostgresServer, type PostgresServer } from '../support/postgres.ts';

/**
 * docs/security.md SEC-55 on PostgreSQL: the server restarts under a running Gatehouse. While it is down,
 * everything that needs it fails closed (503 problem+json, never "logged in", no cookie); once
 * it is back, Gatehouse serves again by itself, with no restart of its own. PostgreSQL here is a
 * private server, since this test stops it.
 */

const publicUrl = 'https://auth.example.com';
const json = { origin: publicUrl, 'content-type': 'application/json' } as const;
const email = 'restart@example.com';

function assertServiceUnavailable(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, `expected 503, got ${response.statusCode}: ${response.body}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(response.json<{ code: string }>().code, 'service_unavailable');
  assert.ok(!/postgres|ECONNREFUSED|127\.0\.0\.1/i.test(response.body), `internal detail leaked: ${response.body}`);
}

describe('PostgreSQL restarting under a running instance', { timeout: 90_000 }, () => {
  let server: PostgresServer;
  let gatehouse: Gatehouse;

  before(async () => {
    server = await startPostgresServer();
    const config = loadConfig({
      env: {
        GATEHOUSE_DATABASE: await createTestDatabase(server.url),
        GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
        GATEHOUSE_PUBLIC_URL: publicUrl,
        GATEHOUSE_LOG_LEVEL: 'silent',
        GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
        GATEHOUSE_POSTGRES_CONNECT_TIMEOUT_MS: '2000',
      },
    });
    gatehouse = await createGatehouse(config);
  });
  after(async () => {
    await gatehouse?.close();
    await server?.remove();
  });

  it('503 problem+json while it is down, and service resumes by itself when it is back', async () => {
    const signUp = await gatehouse.app.inject({ method: 'POST', url: '/v1/users', headers: json, payload: { email, password: testPassword } });
    assert.equal(signUp.statusCode, 202);
    const firstLogin = await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: { email, password: testPassword } });
    assert.equal(firstLogin.statusCode, 200, firstLogin.body);
    const token = firstLogin.cookies.find((c) => c.name === sessionCookieName)?.value as string;
    const cookie = { cookie: `${sessionCookieName}=${token}` };
    assert.equal((await gatehouse.app.inject({ method: 'GET', url: '/v1/session', headers: cookie })).statusCode, 200);

    await server.stop();
    assertServiceUnavailable(await gatehouse.app.inject({ method: 'GET', url: '/v1/session', headers: cookie }));
    const login = await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: { email, password: testPassword } });
    assertServiceUnavailable(login);
    assert.equal(login.cookies.find((c) => c.name === sessionCookieName && c.value !== ''), undefined, 'a login during the outage set a cookie');
    assertServiceUnavailable(await gatehouse.app.inject({ method: 'DELETE', url: '/v1/session', headers: { ...cookie, origin: publicUrl } }));
    assertServiceUnavailable(await gatehouse.app.inject({ method: 'GET', url: '/readyz' }));
    assert.equal((await gatehouse.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);

    await server.start();
    // Connections the pool held before the restart are dead; each is noticed and replaced on
    // use. A few requests may still meet one (503, never anything else); then it serves again.
    let status = 0;
    for (let attempt = 0; attempt < 12 && status !== 200; attempt++) {
      const response = await gatehouse.app.inject({ method: 'GET', url: '/v1/session', headers: cookie });
      status = response.statusCode;
      if (status !== 200) assertServiceUnavailable(response);
    }
    assert.equal(status, 200, 'the instance did not recover after PostgreSQL came back');
    assert.equal((await gatehouse.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
    const again = await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: { email, password: testPassword } });
    assert.equal(again.statusCode, 200, again.body);
  });
});
