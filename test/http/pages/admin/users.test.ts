import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedConfirmedTotp, makeConsoleOperator } from '../../../support/operators.ts';
import { seedUser, testPassword } from '../../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../../support/http-app.ts';

/** The console's users: search, one user's page, and every action (src/http/pages/admin/users.ts). */

let t: TestApp;
let op: { token: string; id: string };
before(async () => {
  t = await createTestApp();
  const token = await signUpThroughApi(t.app, 'operator@example.com', testPassword);
  const id = (await t.core.store.users.findByEmail('operator@example.com'))!.id;
  await makeConsoleOperator(t.core, id);
  op = { token, id };
});
after(() => t.close());

const form = { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...withSession(op.token) } });
const post = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'POST', url, headers: { ...form, ...withSession(op.token), ...headers }, payload: '' });

/** A fresh re-authentication of the operator, as /account/reauth does. */
async function reauthenticate(): Promise<void> {
  const response = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers: { ...sameOriginJson, ...withSession(op.token) }, payload: { password: testPassword } });
  assert.equal(response.statusCode, 200, response.body);
}

describe('console: users', () => {
  it('searches by email prefix, 25 a page, with a next-page link that continues where the page ended', async () => {
    for (let i = 0; i < 30; i++) await seedUser(t.core, `page-${String(i).padStart(2, '0')}@example.com`);
    const first = await get('/admin/users?q=PAGE-');
    assert.equal(first.statusCode, 200);
    assert.equal((first.body.match(/page-\d\d@example\.com<\/a>/g) ?? []).length, 25);
    const next = /href="(\/admin\/users\?q=page-&amp;after=[^"]+)"/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(next !== undefined, 'a next-page link');
    const second = await get(next);
    assert.deepEqual(second.body.match(/page-\d\d@example\.com<\/a>/g), ['page-25@example.com</a>', 'page-26@example.com</a>', 'page-27@example.com</a>', 'page-28@example.com</a>', 'page-29@example.com</a>']);
    assert.doesNotMatch(second.body, /Next page/);
  });

  it("the user page shows the sessions (device, IP, last seen), the factors and the user's audit", async () => {
    await signUpThroughApi(t.app, 'shown@example.com', testPassword, { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0.0.0' }, '198.51.100.23');
    const user = (await t.core.store.users.findByEmail('shown@example.com'))!;
    const page = await get(`/admin/users/${user.id}`);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Chrome\/120\.0\.0\.0 on Linux/);
    assert.match(page.body, /198\.51\.100\.23/);
    assert.match(page.body, /login\.succeeded/);
    assert.match(page.body, /Authenticator app \(TOTP\): off/);
    assert.equal((await get('/admin/users/no-such-user')).statusCode, 404);
  });

  it('revoking a session signs that device out at once; the audit names the operator (SEC-277)', async () => {
    const victim = await signUpThroughApi(t.app, 'revoked@example.com', testPassword);
    const user = (await t.core.store.users.findByEmail('revoked@example.com'))!;
    const [session] = await t.core.store.sessions.listByUser(user.id);
    const response = await post(`/admin/users/${user.id}/sessions/${session!.id}/revoke`);
    assert.equal(response.statusCode, 303);
    assert.equal(response.headers.location, `/admin/users/${user.id}?done=session-revoked`);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(victim) })).statusCode, 401);
    const [entry] = await t.core.store.auditSearch.page({ userId: user.id, type: 'session.revoked' }, { limit: 1 });
    assert.equal(entry?.actorId, op.id);
    assert.match((await get(response.headers.location!)).body, /That device is signed out|that device is signed out/);
  });

  it('a cross-site POST to a console action is refused and changes nothing (SEC-272)', async () => {
    const victim = await signUpThroughApi(t.app, 'csrf-target@example.com', testPassword);
    const user = (await t.core.store.users.findByEmail('csrf-target@example.com'))!;
    for (const headers of [{ 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, { 'sec-fetch-site': 'same-site', origin: 'https://sub.auth.test' }]) {
      const response = await post(`/admin/users/${user.id}/sessions/revoke-all`, headers);
      assert.equal(response.statusCode, 403);
      assert.match(response.body, /forbidden_origin/);
    }
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(victim) })).statusCode, 200);
  });

  it('destructive actions need a recent re-authentication: before it, 303 to the form and nothing changes; after it, done (SEC-273)', async () => {
    await signUpThroughApi(t.app, 'target@example.com', testPassword);
    const user = (await t.core.store.users.findByEmail('target@example.com'))!;
    await seedConfirmedTotp(t.core, user.id);
    t.core.clock.advance(6 * 60_000); // past the 5-minute window, within the console's 15 minutes
    assert.equal((await get('/admin')).statusCode, 200, 'the console itself is still open');
    for (const action of ['disable', 'delete', 'reset-second-factor', 'mark-email-verified']) {
      const response = await post(`/admin/users/${user.id}/${action}`);
      assert.equal(response.statusCode, 303, action);
      assert.equal(response.headers.location, `/account/reauth?return_to=${encodeURIComponent(`/admin/users/${user.id}`)}`, action);
    }
    const unchanged = (await t.core.store.users.findById(user.id))!;
    assert.equal(unchanged.disabledAtMs, null);
    assert.notEqual(await t.core.store.totp.find(user.id), null);
    assert.equal(await t.core.store.emailVerifications.find(user.id), null);

    await reauthenticate();
    assert.equal((await post(`/admin/users/${user.id}/mark-email-verified`)).headers.location, `/admin/users/${user.id}?done=verified`);
    assert.equal((await t.core.store.emailVerifications.find(user.id))?.email, 'target@example.com');
    assert.equal((await post(`/admin/users/${user.id}/reset-second-factor`)).headers.location, `/admin/users/${user.id}?done=second-factor-reset`);
    assert.equal(await t.core.store.totp.find(user.id), null);
    assert.equal(t.core.outbox.lastTo('target@example.com')?.kind, 'security_notice');
    assert.equal((await post(`/admin/users/${user.id}/disable`)).headers.location, `/admin/users/${user.id}?done=disabled`);
    assert.notEqual((await t.core.store.users.findById(user.id))!.disabledAtMs, null);
    assert.equal((await post(`/admin/users/${user.id}/enable`)).headers.location, `/admin/users/${user.id}?done=enabled`);
    assert.equal((await t.core.store.users.findById(user.id))!.disabledAtMs, null);
    const audit = await t.core.store.auditSearch.page({ userId: user.id }, { limit: 20 });
    for (const type of ['email.verified', 'totp.disabled', 'account.disabled', 'account.enabled'] as const) {
      assert.equal(audit.find((e) => e.type === type)?.actorId, op.id, `${type} names the operator (SEC-277)`);
    }
    assert.equal((await post(`/admin/users/${user.id}/delete`)).headers.location, '/admin/users?done=deleted');
    assert.equal(await t.core.store.users.findById(user.id), null);
  });

  it('sends a password reset link to the user', async () => {
    await seedUser(t.core, 'forgetful@example.com');
    const user = (await t.core.store.users.findByEmail('forgetful@example.com'))!;
    const response = await post(`/admin/users/${user.id}/send-password-reset`);
    assert.equal(response.headers.location, `/admin/users/${user.id}?done=reset-sent`);
    assert.equal(t.core.outbox.lastTo('forgetful@example.com')?.kind, 'password_reset');
  });

  it('an action on an unknown user or session answers 404, not 500', async () => {
    await reauthenticate();
    assert.equal((await post('/admin/users/nobody/disable')).statusCode, 404);
    const user = (await t.core.store.users.findByEmail('forgetful@example.com'))!;
    assert.equal((await post(`/admin/users/${user.id}/sessions/no-such-session/revoke`)).statusCode, 404);
  });
});
