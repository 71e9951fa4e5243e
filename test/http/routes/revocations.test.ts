// GET /v1/revocations: the feed, as JSON catch-up (inject) and as a live SSE stream (a real server).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';
import { startTestServer, type TestServer } from '../../support/start-server.ts';

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('GET /v1/revocations (JSON)', () => {
  let t: TestApp;
  let auth: string;
  before(async () => {
    t = await createTestApp();
    const { secret } = await createClient(t.core, { id: 'api', name: 'API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.example.com' });
    auth = basic('api', secret as string);
    await createClient(t.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['session'], audience: 'https://api.example.com' });
  });
  after(() => t.close());

  const feed = (query = '', authorization = auth) => t.app.inject({ method: 'GET', url: `/v1/revocations${query}`, headers: { authorization, accept: 'application/json' } });

  it('needs confidential client credentials (SEC-79)', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/revocations' })).statusCode, 401);
    assert.equal((await feed('', basic('api', 'wrong'))).statusCode, 401);
    assert.equal((await feed('', basic('spa', ''))).statusCode, 401);
    assert.equal((await feed()).statusCode, 200);
  });

  it('records logout, revocation, password change and disable with the sid, and replays after ?since=', async () => {
    const start = (await feed()).json().latest as number;
    const a = await signUpThroughApi(t.app, 'feed@example.com', testPassword);
    const b = await signUpThroughApi(t.app, 'feed2@example.com', testPassword);
    await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { origin: testOrigin, ...withSession(a) } });
    const bSid = b.split('.')[0] as string;
    const body = (await feed(`?since=${start}`)).json();
    assert.deepEqual(body.revocations.map((r: { sid: string }) => r.sid), [a.split('.')[0]]);
    assert.equal(body.latest, body.revocations[0].seq);
    assert.ok(body.revocations[0].expiresAtMs > t.core.clock.nowMs(), 'kept while a token of the session may live');
    assert.deepEqual((await feed(`?since=${body.latest}`)).json().revocations, []);

    await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { origin: testOrigin, 'content-type': 'application/json', ...withSession(b) },
      payload: { currentPassword: testPassword, newPassword: 'another long passphrase here' },
    });
    const after = (await feed(`?since=${body.latest}`)).json().revocations as Array<{ sid: string }>;
    assert.deepEqual(after.map((r) => r.sid), [bSid], 'the password change ended the old session');
  });

  it('entries expire once no token they cover can be valid', async () => {
    const token = await signUpThroughApi(t.app, 'expire@example.com', testPassword);
    await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { origin: testOrigin, ...withSession(token) } });
    const sid = token.split('.')[0];
    assert.ok((await feed()).json().revocations.some((r: { sid: string }) => r.sid === sid));
    t.core.clock.advance(300_001);
    await t.core.store.revocations.deleteExpired(t.core.clock.nowMs());
    assert.ok(!(await feed()).json().revocations.some((r: { sid: string }) => r.sid === sid));
  });
});

describe('GET /v1/revocations (Server-Sent Events, real server)', () => {
  let server: TestServer;
  let auth: string;
  before(async () => {
    server = await startTestServer();
    const { secret } = await createClient(server.gatehouse.deps, { id: 'api', name: 'API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.example.com' });
    auth = basic('api', secret as string);
  });
  after(() => server.close());

  /** Reads SSE events off a fetch body until `until` says stop. */
  async function readEvents(body: ReadableStream<Uint8Array>, until: (events: Array<{ event: string; id?: string; data: string }>) => boolean) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    const events: Array<{ event: string; id?: string; data: string }> = [];
    let buffer = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let split: number;
      while ((split = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, split);
        buffer = buffer.slice(split + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.data !== undefined) events.push({ event: fields.event ?? 'message', id: fields.id, data: fields.data });
      }
    }
    return { events, reader };
  }

  it('replays, says ready, then pushes a logout as it happens', async () => {
    const signup = await fetch(`${server.url}/v1/users`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sse@example.com', password: testPassword }),
    });
    assert.equal(signup.status, 202);
    // Sign-up never logs in: log in for the session whose logout the feed must carry.
    const login = await fetch(`${server.url}/v1/session`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'sse@example.com', password: testPassword }),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const sid = cookie.split('=')[1]?.split('.')[0];

    const controller = new AbortController();
    const stream = await fetch(`${server.url}/v1/revocations`, { headers: { authorization: auth, accept: 'text/event-stream' }, signal: controller.signal });
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers.get('content-type')), /^text\/event-stream/);
    const body = stream.body as ReadableStream<Uint8Array>;
    const tee = body.tee();
    const { events: first, reader } = await readEvents(tee[0], (events) => events.some((e) => e.event === 'ready'));
    assert.equal(first.at(-1)?.event, 'ready');

    const logout = await fetch(`${server.url}/v1/session`, { method: 'DELETE', headers: { origin: server.url, cookie } });
    assert.equal(logout.status, 204);
    const { events } = await readEvents(tee[1], (all) => all.some((e) => e.event === 'revocation' && JSON.parse(e.data).sid === sid));
    const pushed = events.find((e) => e.event === 'revocation' && JSON.parse(e.data).sid === sid);
    assert.ok(pushed?.id, 'each event carries its seq as the SSE id, for Last-Event-ID on reconnect');
    controller.abort();
    await reader.cancel().catch(() => undefined);
  });
});
