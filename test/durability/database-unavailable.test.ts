import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/load-config.ts';
import { sessionCookieName } from '../../src/http/session-cookie.ts';
import { createGatehouse, type Gatehouse } from '../../src/main.ts';
import type { SqliteStore } from '../../src/storage/sql/sqlite.ts';

/**
 * docs/security.md SEC-55: an unreachable database fails closed. The real app (createGatehouse) runs on
 * a temp SQLite file; a user signs up and holds a valid cookie; then the SQLite connections are
 * closed under the running app. A session that was valid a moment ago must now get 503, never
 * 200, and a login must not hand out a cookie.
 */

const publicUrl = 'https://auth.example.com';
const json = { origin: publicUrl, 'content-type': 'application/json' } as const;
const credentials = { email: 'outage@example.com', password: 'correct horse battery staple' };

let dir: string;
let gatehouse: Gatehouse;
let token: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-db-down-'));
  const config = loadConfig({
    env: {
      GATEHOUSE_DATABASE: join(dir, 'gatehouse.db'),
      GATEHOUSE_SECRET: randomBytes(32).toString('base64url'),
      GATEHOUSE_PUBLIC_URL: publicUrl,
      GATEHOUSE_LOG_LEVEL: 'silent',
      GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false',
    },
  });
  gatehouse = await createGatehouse(config);
  const signUp = await gatehouse.app.inject({ method: 'POST', url: '/v1/users', headers: json, payload: credentials });
  assert.equal(signUp.statusCode, 202, signUp.body);
  const logIn = await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: credentials });
  assert.equal(logIn.statusCode, 200, logIn.body);
  const cookie = logIn.cookies.find((c) => c.name === sessionCookieName);
  assert.ok(cookie !== undefined && cookie.value !== '');
  token = cookie.value;
  // The cookie is valid while the database is up, so a later 401/503 is the outage's doing.
  const check = await gatehouse.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `${sessionCookieName}=${token}` } });
  assert.equal(check.statusCode, 200);
  (gatehouse.store as SqliteStore).connections.forEach((connection) => connection.close());
});

afterEach(async () => {
  await gatehouse.close();
  rmSync(dir, { recursive: true, force: true });
});

function assertServiceUnavailable(response: LightMyRequestResponse): void {
  assert.equal(response.statusCode, 503, `expected 503, got ${response.statusCode}: ${response.body}`);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json<{ code: string; status: number }>();
  assert.equal(body.code, 'service_unavailable');
  assert.equal(body.status, 503);
  assert.ok(!response.body.includes('SQLite') && !response.body.includes('database is not open'), `internal detail leaked: ${response.body}`);
}

function sessionCookiesSet(response: LightMyRequestResponse): string[] {
  return response.cookies.filter((c) => c.name === sessionCookieName && c.value !== '').map((c) => c.value);
}

describe('database unavailable: fail closed', { timeout: 180_000 }, () => {
  test('GET /v1/session with a valid cookie -> 503 service_unavailable, never 200 (GET /v1/sessions too)', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `${sessionCookieName}=${token}` } });
    assertServiceUnavailable(response);
    assert.ok(response.headers['retry-after'] !== undefined, 'a 503 says when to retry');
    assertServiceUnavailable(await gatehouse.app.inject({ method: 'GET', url: '/v1/sessions', headers: { cookie: `${sessionCookieName}=${token}` } }));
  });

  test('POST /v1/session (login) -> 503 and no session cookie (POST /v1/users too)', async () => {
    const response = await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers: json, payload: credentials });
    assertServiceUnavailable(response);
    assert.deepEqual(sessionCookiesSet(response), [], 'a login during the outage set a session cookie');

    const signUp = await gatehouse.app.inject({ method: 'POST', url: '/v1/users', headers: json, payload: { ...credentials, email: 'new@example.com' } });
    assertServiceUnavailable(signUp);
    assert.deepEqual(sessionCookiesSet(signUp), [], 'a sign-up during the outage set a session cookie');
  });

  test('DELETE /v1/session (logout) -> 503, not a 204 that pretends the session ended', async () => {
    const response = await gatehouse.app.inject({ method: 'DELETE', url: '/v1/session', headers: { origin: publicUrl, cookie: `${sessionCookieName}=${token}` } });
    assertServiceUnavailable(response);
  });

  test('GET /readyz -> 503; GET /healthz (liveness) still 200', async () => {
    assertServiceUnavailable(await gatehouse.app.inject({ method: 'GET', url: '/readyz' }));
    const health = await gatehouse.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
  });
});
