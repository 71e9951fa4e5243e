// The session-management API: list, revoke one, revoke the others, log out, delete the account.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, logInThroughApi, sameOriginJson, sessionTokenFrom, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';

describe('sessions API', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: withSession(token) });
  const del = (url: string, token: string) => t.app.inject({ method: 'DELETE', url, headers: { origin: testOrigin, ...withSession(token) } });

  async function twoDevices(email: string): Promise<[string, string]> {
    const laptop = await signUpThroughApi(t.app, email, testPassword, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' });
    const phone = sessionTokenFrom(await logInThroughApi(t.app, email, testPassword, { 'user-agent': 'Mozilla/5.0 (iPhone) Safari/605.1' }));
    assert.ok(phone);
    return [laptop, phone];
  }

  it('POST /v1/session returns the user and session; GET /v1/session returns the same', async () => {
    await signUpThroughApi(t.app, 'shape@example.com', testPassword);
    const login = await logInThroughApi(t.app, 'shape@example.com', testPassword, { 'user-agent': 'test-agent/1.0' });
    assert.equal(login.statusCode, 200);
    const body = login.json();
    assert.equal(body.user.email, 'shape@example.com');
    assert.equal(body.session.userAgent, 'test-agent/1.0');
    assert.equal(body.session.current, true);
    assert.equal(body.user.passwordHash, undefined, 'no hash in any response');
    const token = sessionTokenFrom(login);
    assert.ok(token);
    const me = await get('/v1/session', token);
    assert.deepEqual(me.json().user, body.user);
    assert.equal(me.json().session.id, body.session.id);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session' })).json().code, 'unauthenticated');
  });

  it('GET /v1/sessions lists every device with user agent, IP and times, marking the current one', async () => {
    const [laptop] = await twoDevices('list@example.com');
    const response = await get('/v1/sessions', laptop);
    assert.equal(response.statusCode, 200);
    const { sessions } = response.json() as { sessions: Array<Record<string, unknown>> };
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions.map((s) => s.current).sort(), [false, true]);
    for (const s of sessions) {
      for (const key of ['id', 'createdAt', 'lastSeenAt', 'expiresAt', 'idleExpiresAt', 'userAgent', 'ip']) assert.ok(s[key], key);
    }
    assert.ok(sessions.some((s) => String(s.userAgent).includes('iPhone')));
  });

  it('DELETE /v1/sessions/{id} revokes another device; it is refused on its very next request', async () => {
    const [laptop, phone] = await twoDevices('revoke@example.com');
    const phoneId = phone.split('.')[0] as string;
    assert.equal((await get('/v1/session', phone)).statusCode, 200);
    assert.equal((await del(`/v1/sessions/${phoneId}`, laptop)).statusCode, 204);
    assert.equal((await get('/v1/session', phone)).statusCode, 401);
    assert.equal((await get('/v1/session', laptop)).statusCode, 200);
    const again = await del(`/v1/sessions/${phoneId}`, laptop);
    assert.equal(again.statusCode, 404);
    assert.equal(again.json().code, 'session_not_found');
  });

  it("DELETE /v1/sessions/{id} cannot touch another user's session (SEC-58)", async () => {
    const [mine] = await twoDevices('mine@example.com');
    const [, theirs] = await twoDevices('theirs@example.com');
    const response = await del(`/v1/sessions/${theirs.split('.')[0]}`, mine);
    assert.equal(response.statusCode, 404);
    assert.equal((await get('/v1/session', theirs)).statusCode, 200);
  });

  it('DELETE /v1/sessions revokes every session but this one', async () => {
    const [laptop, phone] = await twoDevices('others@example.com');
    const third = sessionTokenFrom(await logInThroughApi(t.app, 'others@example.com', testPassword));
    assert.ok(third);
    const response = await del('/v1/sessions', laptop);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().revoked, 2);
    assert.equal((await get('/v1/session', phone)).statusCode, 401);
    assert.equal((await get('/v1/session', third)).statusCode, 401);
    assert.equal((await get('/v1/session', laptop)).statusCode, 200);
  });

  it('DELETE /v1/session logs out this device only', async () => {
    const [laptop, phone] = await twoDevices('logout@example.com');
    assert.equal((await del('/v1/session', laptop)).statusCode, 204);
    assert.equal((await get('/v1/session', laptop)).statusCode, 401);
    assert.equal((await get('/v1/session', phone)).statusCode, 200);
    assert.equal((await del('/v1/session', laptop)).statusCode, 401, 'logging out twice is unauthenticated');
  });

  it('POST /v1/me/password ends every other session, and only the new password works', async () => {
    const [laptop, phone] = await twoDevices('change@example.com');
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { ...sameOriginJson, ...withSession(laptop) },
      payload: { currentPassword: testPassword, newPassword: 'a brand new passphrase for this' },
    });
    assert.equal(response.statusCode, 200);
    const fresh = sessionTokenFrom(response);
    assert.ok(fresh);
    assert.equal((await get('/v1/session', phone)).statusCode, 401);
    assert.equal((await get('/v1/session', fresh)).statusCode, 200);
    assert.equal((await logInThroughApi(t.app, 'change@example.com', testPassword)).statusCode, 401);
    assert.equal((await logInThroughApi(t.app, 'change@example.com', 'a brand new passphrase for this')).statusCode, 200);
  });

  it('POST /v1/me/password refuses a weak new password and changes nothing', async () => {
    const [laptop, phone] = await twoDevices('weak-change@example.com');
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { ...sameOriginJson, ...withSession(laptop) },
      payload: { currentPassword: testPassword, newPassword: 'short' },
    });
    assert.equal(response.json().code, 'password_too_short');
    assert.equal((await get('/v1/session', phone)).statusCode, 200);
    assert.equal((await get('/v1/session', laptop)).statusCode, 200);
  });

  it('DELETE /v1/me deletes the account and ends everything', async () => {
    const [laptop, phone] = await twoDevices('delete@example.com');
    const response = await t.app.inject({ method: 'DELETE', url: '/v1/me', headers: { ...sameOriginJson, ...withSession(laptop) }, payload: { password: testPassword } });
    assert.equal(response.statusCode, 204);
    assert.equal((await get('/v1/session', laptop)).statusCode, 401);
    assert.equal((await get('/v1/session', phone)).statusCode, 401);
    assert.equal(await t.core.store.users.findByEmail('delete@example.com'), null);
    assert.equal((await logInThroughApi(t.app, 'delete@example.com', testPassword)).statusCode, 401);
  });

  it('records the audit trail with time, user, IP and user agent', async () => {
    const [laptop, phone] = await twoDevices('audit@example.com');
    await del(`/v1/sessions/${phone.split('.')[0]}`, laptop);
    await logInThroughApi(t.app, 'audit@example.com', 'not the right password');
    await del('/v1/session', laptop);
    const user = await t.core.store.users.findByEmail('audit@example.com');
    assert.ok(user);
    const events = await t.core.store.audit.list({ limit: 20, userId: user.id });
    const types = events.map((e) => e.type);
    for (const type of ['user.signed_up', 'login.succeeded', 'session.revoked', 'login.failed', 'logout']) assert.ok(types.includes(type as never), type);
    for (const event of events) {
      assert.ok(event.atMs > 0 && event.ip !== '' && event.userId === user.id);
    }
    assert.ok(events.some((e) => e.userAgent.includes('iPhone')));
  });

  it('last_seen is written at most once a minute per session', async () => {
    const token = await signUpThroughApi(t.app, 'touch@example.com', testPassword);
    const id = token.split('.')[0] as string;
    const before = (await t.core.store.sessions.findWithUser(id))?.session.lastSeenAtMs;
    t.core.clock.advance(59_000);
    await get('/v1/session', token);
    assert.equal((await t.core.store.sessions.findWithUser(id))?.session.lastSeenAtMs, before, 'not written within the minute');
    t.core.clock.advance(1_000);
    await get('/v1/session', token);
    assert.equal((await t.core.store.sessions.findWithUser(id))?.session.lastSeenAtMs, (before ?? 0) + 60_000);
  });
});
