// The composition root: real SQLite, real logger. Logs are JSON and never carry a secret.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/load-config.ts';
import { createGatehouse, createLogger, createTokenDeps, type Gatehouse } from '../src/main.ts';
import { openSqliteStore } from '../src/storage/sql/sqlite.ts';

describe('createGatehouse', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-main-'));
  const lines: string[] = [];
  let gatehouse: Gatehouse;
  const origin = 'https://auth.example.com';
  const password = 'correct horse battery staple';

  before(async () => {
    const config = loadConfig({
      env: { GATEHOUSE_DATABASE: join(dir, 'g.db'), GATEHOUSE_SECRET: 'kq3X9vT2mZ8pL4wR7nB1cY6hJ0dF5gS2aE8uW3iO', GATEHOUSE_PUBLIC_URL: origin, GATEHOUSE_LOG_LEVEL: 'info', GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'false' },
    });
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    gatehouse = await createGatehouse(config, createLogger(config, sink));
  });
  after(async () => {
    await gatehouse.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs structured JSON without passwords, cookies, tokens or query strings (SEC-95)', async () => {
    const headers = { origin, 'content-type': 'application/json' };
    const signup = await gatehouse.app.inject({ method: 'POST', url: '/v1/users', headers, payload: { email: 'log@example.com', password } });
    assert.equal(signup.statusCode, 202);
    const login = await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers, payload: { email: 'log@example.com', password } });
    const cookie = String(login.headers['set-cookie']).split(';')[0] as string;
    const token = cookie.split('=')[1] as string;
    await gatehouse.app.inject({ method: 'POST', url: '/v1/session', headers, payload: { email: 'log@example.com', password: 'a wrong password here' } });
    await gatehouse.app.inject({ method: 'GET', url: '/v1/session?token=leaked-in-query', headers: { cookie } });
    await gatehouse.app.inject({ method: 'DELETE', url: '/v1/session', headers: { origin, cookie } });
    assert.ok(lines.length >= 8, `request logs were written (${lines.length})`);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof entry.level, 'number');
      assert.ok(!line.includes(password), line);
      assert.ok(!line.includes('a wrong password here'), line);
      assert.ok(!line.includes(token), line);
      assert.ok(!line.includes(token.split('.')[1] as string), line);
      assert.ok(!line.includes('leaked-in-query'), line);
    }
    assert.ok(lines.some((l) => l.includes('"path":"/v1/session"')));
  });

  it('a browser that hits an unknown page gets an HTML error page, an API client problem+json', async () => {
    const page = await gatehouse.app.inject({ method: 'GET', url: '/nope', headers: { accept: 'text/html' } });
    assert.equal(page.statusCode, 404);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /not_found/);
    const api = await gatehouse.app.inject({ method: 'GET', url: '/v1/nope', headers: { accept: 'text/html' } });
    assert.equal(api.statusCode, 404);
    assert.equal(api.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('/readyz answers ready on a reachable database', async () => {
    const response = await gatehouse.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'ready');
  });
});

describe('createGatehouse: the automatic key rotation schedule', () => {
  const day = 86_400_000;
  /** A database whose only signing key was made 91 days ago. */
  async function databaseWithOldKey(env: Record<string, string>): Promise<string> {
    const config = loadConfig({ env });
    const store = await openSqliteStore(config.database, { migrate: 'on-open' });
    try {
      const tokens = createTokenDeps(config, store, { nowMs: () => Date.now() - 91 * day });
      await tokens.keyRing.ensureKey();
      return (await tokens.keyRing.activeKey()).kid;
    } finally {
      await store.close();
    }
  }
  const keysAfterStart = async (env: Record<string, string>) => {
    const gatehouse = await createGatehouse(loadConfig({ env }));
    try {
      return { keys: await gatehouse.store.signingKeys.list(), signer: (await gatehouse.tokens.keyRing.activeKey()).kid };
    } finally {
      await gatehouse.close();
    }
  };

  it('rotates at start-up when the newest key is older than GATEHOUSE_KEY_ROTATION_DAYS (published ahead), once; off by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rotation-'));
    const env = { GATEHOUSE_DATABASE: join(dir, 'g.db'), GATEHOUSE_SECRET: 'kq3X9vT2mZ8pL4wR7nB1cY6hJ0dF5gS2aE8uW3iO', GATEHOUSE_PUBLIC_URL: 'https://auth.example.com', GATEHOUSE_LOG_LEVEL: 'silent' };
    try {
      const oldKid = await databaseWithOldKey(env);
      const unscheduled = await keysAfterStart(env);
      assert.deepEqual(unscheduled.keys.map((k) => k.kid), [oldKid], 'no schedule by default: the old key stays alone');

      const scheduled = { ...env, GATEHOUSE_KEY_ROTATION_DAYS: '90' };
      const rotated = await keysAfterStart(scheduled);
      assert.equal(rotated.keys.length, 2, 'a new key was added');
      const fresh = rotated.keys.find((k) => k.kid !== oldKid) ?? assert.fail('no new key');
      assert.ok(fresh.activatesAtMs > fresh.createdAtMs, 'the new key is published ahead before it signs');
      assert.equal(rotated.signer, oldKid, 'the old key signs until then');
      assert.equal(rotated.keys.find((k) => k.kid === oldKid)?.retiresAtMs, fresh.activatesAtMs);

      const again = await keysAfterStart(scheduled);
      assert.equal(again.keys.length, 2, 'the next start finds a fresh key and does not rotate again');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a new install signs ES256; a changed GATEHOUSE_TOKEN_ALGORITHM schedules a publish-ahead rotation at start-up and logs it, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-algorithm-'));
    const env = { GATEHOUSE_DATABASE: join(dir, 'g.db'), GATEHOUSE_SECRET: 'kq3X9vT2mZ8pL4wR7nB1cY6hJ0dF5gS2aE8uW3iO', GATEHOUSE_PUBLIC_URL: 'https://auth.example.com', GATEHOUSE_LOG_LEVEL: 'info' };
    const start = async (extra: Record<string, string>) => {
      const lines: string[] = [];
      const config = loadConfig({ env: { ...env, ...extra } });
      const sink = new Writable({
        write(chunk, _encoding, done) {
          lines.push(...String(chunk).split('\n').filter(Boolean));
          done();
        },
      });
      const gatehouse = await createGatehouse(config, createLogger(config, sink));
      try {
        const keys = await gatehouse.store.signingKeys.list();
        const signer = await gatehouse.tokens.keyRing.activeKey();
        const messages = lines.map((line) => JSON.parse(line) as { level: number; msg: string; alg?: string; kid?: string });
        return { keys, signer, switched: messages.filter((m) => m.msg.startsWith('signing algorithm changed')) };
      } finally {
        await gatehouse.close();
      }
    };
    try {
      const first = await start({});
      assert.equal(first.signer.alg, 'ES256', 'the default');
      assert.deepEqual(first.switched, []);

      const changed = await start({ GATEHOUSE_TOKEN_ALGORITHM: 'EdDSA' });
      assert.equal(changed.keys.length, 2);
      assert.equal(changed.signer.alg, 'ES256', 'the old key signs until the new one has been published ahead');
      assert.equal(changed.switched.length, 1, 'said on the console');
      const line = changed.switched[0]!;
      assert.equal(line.level, 40, 'a warning');
      assert.match(line.msg, /^signing algorithm changed from ES256 to EdDSA: a new EdDSA key is published now and signs from \d{4}-/);
      const fresh = changed.keys.find((k) => k.alg === 'EdDSA') ?? assert.fail('no EdDSA key');
      assert.equal(line.kid, fresh.kid);
      assert.ok(fresh.activatesAtMs > fresh.createdAtMs, 'published ahead');

      const again = await start({ GATEHOUSE_TOKEN_ALGORITHM: 'EdDSA' });
      assert.equal(again.keys.length, 2, 'already scheduled: no second rotation');
      assert.deepEqual(again.switched, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
