// docs/security.md SEC-47, SEC-48, SEC-49 ("Rate limits and enumeration"), through the real HTTP app.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { testPassword } from '../support/core-deps.ts';
import { createCountingHasher } from '../support/counting-hasher.ts';
import { createTestApp, sameOriginJson, sessionTokenFrom, signUpThroughApi, type TestApp } from '../support/http-app.ts';

describe('rate limits and enumeration', () => {
  const hasher = createCountingHasher();
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp({ hasher });
    await signUpThroughApi(t.app, 'known@example.com', testPassword);
    hasher.reset();
  });
  after(async () => t?.close());

  const login = (email: string, password: string, remoteAddress = '198.51.100.1', headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/session', remoteAddress, headers: { ...sameOriginJson, ...headers }, payload: { email, password } });

  it('SEC-47: an unknown email and a wrong password get the same status, headers and body', async () => {
    const unknown = await login('nobody@example.com', 'some wrong password');
    const wrong = await login('known@example.com', 'some wrong password');
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.statusCode, unknown.statusCode);
    assert.deepEqual(wrong.json(), unknown.json());
    assert.equal(wrong.json().code, 'invalid_credentials');
    const shape = (r: typeof wrong) => Object.keys(r.headers).filter((h) => !['date', 'content-length'].includes(h)).sort();
    assert.deepEqual(shape(wrong), shape(unknown));
    assert.equal(wrong.headers['content-length'], unknown.headers['content-length']);
  });

  it('SEC-47: both paths cost exactly one argon2id verification (similar timing, by construction)', async () => {
    await login('nobody@example.com', 'some wrong password');
    assert.deepEqual(hasher.calls, { hash: 0, verify: 1 });
    hasher.reset();
    await login('known@example.com', 'some wrong password');
    assert.deepEqual(hasher.calls, { hash: 0, verify: 1 });
  });

  it('SEC-47: sign-up hashes the password before looking the email up, so a taken email costs the same hash', async () => {
    const fresh = await t.app.inject({ method: 'POST', url: '/v1/users', remoteAddress: '198.51.100.9', headers: sameOriginJson, payload: { email: 'fresh@example.com', password: testPassword } });
    assert.equal(fresh.statusCode, 202);
    assert.deepEqual(hasher.calls, { hash: 1, verify: 0 });
    hasher.reset();
    const taken = await t.app.inject({ method: 'POST', url: '/v1/users', remoteAddress: '198.51.100.9', headers: sameOriginJson, payload: { email: 'known@example.com', password: testPassword } });
    assert.deepEqual(hasher.calls, { hash: 1, verify: 0 });
    // The same status, body and headers for a taken address as for a new one (docs/security.md SEC-47).
    assert.equal(taken.statusCode, 202);
    assert.deepEqual(taken.json(), { status: 'check_email', email: 'known@example.com' });
    assert.deepEqual(Object.keys(taken.headers).sort(), Object.keys(fresh.headers).sort());
    assert.equal(taken.headers['set-cookie'], undefined);
    assert.equal(fresh.headers['set-cookie'], undefined);
  });

  it('SEC-48: one account attacked from many IPs -> the per-account throttle still holds', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await login('known@example.com', `wrong password ${i}`, `203.0.113.${i + 1}`)).statusCode, 401);
    const locked = await login('known@example.com', testPassword, '203.0.113.200');
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'too_many_requests');
    assert.ok(Number(locked.headers['retry-after']) >= 1);
    assert.equal(sessionTokenFrom(locked), undefined, 'even the right password does not log in while locked');
  });

  it('SEC-48: the lock applies identically to an email with no account (no enumeration through lockout)', async () => {
    for (let i = 0; i < 5; i++) await login('ghost@example.com', `wrong password ${i}`, `203.0.113.${i + 1}`);
    const ghost = await login('ghost@example.com', 'whatever password', '203.0.113.99');
    for (let i = 0; i < 5; i++) await login('known@example.com', `wrong password ${i}`, `203.0.113.${i + 1}`);
    const known = await login('known@example.com', 'whatever password', '203.0.113.99');
    assert.equal(ghost.statusCode, 429);
    assert.equal(known.statusCode, 429);
    assert.deepEqual(ghost.json(), known.json());
    assert.equal(ghost.headers['retry-after'], known.headers['retry-after']);
  });

  it('SEC-48: a spoofed X-Forwarded-For from an untrusted client is ignored', async () => {
    for (let i = 0; i < 5; i++) {
      await login('known@example.com', `wrong password ${i}`, '198.51.100.7', { 'x-forwarded-for': `10.0.0.${i}` });
    }
    assert.equal((await login('known@example.com', testPassword, '198.51.100.7', { 'x-forwarded-for': '10.9.9.9' })).statusCode, 429);
    const ok = await signUpThroughApi(t.app, 'spoof@example.com', testPassword, { 'x-forwarded-for': '10.1.2.3' }, '198.51.100.8');
    const me = await t.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `__Host-gatehouse_session=${ok}` } });
    assert.equal(me.json().session.ip, '198.51.100.8', 'the socket address, not the header');
  });

  it('SEC-48: X-Forwarded-For is honoured from a configured trusted proxy', async () => {
    const proxied = await createTestApp({ config: { trustedProxies: ['127.0.0.1'] } });
    try {
      const token = await signUpThroughApi(proxied.app, 'proxied@example.com', testPassword, { 'x-forwarded-for': '192.0.2.44' }, '127.0.0.1');
      const me = await proxied.app.inject({ method: 'GET', url: '/v1/session', headers: { cookie: `__Host-gatehouse_session=${token}` } });
      assert.equal(me.json().session.ip, '192.0.2.44');
    } finally {
      await proxied.close();
    }
  });

  it('SEC-49: many accounts from one IP -> the IP is throttled, for every account', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await login(`user${i}@example.com`, 'wrong password here', '192.0.2.10')).statusCode, 401);
    const blocked = await login('known@example.com', testPassword, '192.0.2.10');
    assert.equal(blocked.statusCode, 429);
    assert.equal((await login('known@example.com', testPassword, '192.0.2.11')).statusCode, 200, 'another IP is not affected');
  });

  it('SEC-49: the lockout is temporary and the waits grow', async () => {
    for (let i = 0; i < 5; i++) await login('known@example.com', `wrong password ${i}`);
    const first = await login('known@example.com', 'wrong again here');
    assert.equal(first.statusCode, 429);
    const firstWait = Number(first.headers['retry-after']);
    t.core.clock.advance(firstWait * 1000);
    assert.equal((await login('known@example.com', 'wrong once more here')).statusCode, 401, 'allowed again once the wait is over');
    const second = await login('known@example.com', testPassword);
    assert.equal(second.statusCode, 429);
    assert.ok(Number(second.headers['retry-after']) > firstWait, `the wait grows: ${firstWait} -> ${String(second.headers['retry-after'])}`);
    t.core.clock.advance(Number(second.headers['retry-after']) * 1000);
    assert.equal((await login('known@example.com', testPassword)).statusCode, 200, 'the right password works after the wait');
  });

  it('the throttle is stored in the database: a new app over the same store still refuses', async () => {
    for (let i = 0; i < 5; i++) await login('known@example.com', `wrong password ${i}`);
    const restarted = await createTestApp({ store: t.core.store, clock: t.core.clock, throttle: t.core.throttle });
    try {
      const response = await restarted.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'known@example.com', password: testPassword } });
      assert.equal(response.statusCode, 429);
    } finally {
      await restarted.close();
    }
  });

  it('sign-ups are throttled per IP (SEC-91)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/users', remoteAddress: '192.0.2.77', headers: sameOriginJson, payload: { email: `bulk${i}@example.com`, password: 'x' } });
      statuses.push(response.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(400));
    assert.equal(statuses[10], 429);
  });
});
