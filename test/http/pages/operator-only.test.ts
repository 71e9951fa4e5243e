import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grantOperator, revokeOperator } from '../../../src/core/operators/set-operator.ts';
import { testContext, testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, withSession, type TestApp } from '../../support/http-app.ts';
import { makeConsoleOperator, markSessionsMultiFactor, seedConfirmedTotp } from '../../support/operators.ts';

/**
 * The console's one access check (src/http/pages/operator-only.ts, core/operators/operator-access.ts)
 * on GET /admin. test/http/pages/admin/access-control.test.ts proves every /admin route has it.
 */

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(() => t.close());

const html = { accept: 'text/html' };
const get = (headers: Record<string, string> = {}, url = '/admin') => t.app.inject({ method: 'GET', url, headers: { ...html, ...headers } });

async function account(email: string): Promise<{ token: string; userId: string }> {
  const token = await signUpThroughApi(t.app, email, testPassword);
  const user = await t.core.store.users.findByEmail(email);
  return { token, userId: user!.id };
}

describe('operatorOnly: who gets into the console', () => {
  it('nobody signed in, a stale cookie, a signed-in user who is no operator: the same 404 as an unknown URL (SEC-270)', async () => {
    const unknown = await get({}, '/no-such-page');
    assert.equal(unknown.statusCode, 404);
    const user = await account('plain@example.com');
    for (const headers of [{}, withSession('not-a-token'), withSession(user.token)]) {
      const response = await get(headers);
      assert.equal(response.statusCode, 404);
      assert.equal(response.body.replace(/\/admin/g, '/no-such-page'), unknown.body, 'nothing tells the console apart from a missing page');
      assert.doesNotMatch(response.body, /console|operator/i);
    }
  });

  it('an operator without a second factor: 403 operator_second_factor_required; with TOTP on: the console (SEC-271)', async () => {
    const op = await account('op-no-factor@example.com');
    await grantOperator(t.core, op.userId, testContext());
    const refused = await get(withSession(op.token));
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /operator_second_factor_required/);
    const json = await t.app.inject({ method: 'GET', url: '/admin', headers: { accept: 'application/json', ...withSession(op.token) } });
    assert.equal(json.json().code, 'operator_second_factor_required');

    await seedConfirmedTotp(t.core, op.userId);
    await markSessionsMultiFactor(t.core, op.userId);
    const granted = await get(withSession(op.token));
    assert.equal(granted.statusCode, 200);
    assert.match(granted.body, /Operator console/);
    assert.equal(granted.headers['cache-control'], 'no-store');
  });

  it('a passkey counts as the second factor (SEC-271)', async () => {
    const op = await account('op-passkey@example.com');
    await grantOperator(t.core, op.userId, testContext());
    const nowMs = t.core.clock.nowMs();
    await t.core.store.passkeys.create({ id: 'pk-1', userId: op.userId, credentialId: 'Y3JlZC0x', publicKey: new Uint8Array([1, 2, 3]), counter: 0, transports: [], deviceType: 'singleDevice', backedUp: false, name: 'key', createdAtMs: nowMs, lastUsedAtMs: null });
    // What a passkey login records (hwk, mfa, user).
    const [session] = await t.core.store.sessions.listByUser(op.userId);
    await t.core.store.sessions.recordAuthentication(session!.id, nowMs, ['hwk', 'mfa', 'user']);
    assert.equal((await get(withSession(op.token))).statusCode, 200);
  });

  it('an operator whose account has a passkey or TOTP, in a session opened by the password alone (a phished password): 403 step_up_required, no console (SEC-167)', async () => {
    // A passkey as the account's only second factor: the password login asks for no second step.
    const op = await account('op-password-session@example.com');
    await grantOperator(t.core, op.userId, testContext());
    const nowMs = t.core.clock.nowMs();
    await t.core.store.passkeys.create({ id: 'pk-2', userId: op.userId, credentialId: 'Y3JlZC0y', publicKey: new Uint8Array([1, 2, 3]), counter: 0, transports: [], deviceType: 'singleDevice', backedUp: false, name: 'key', createdAtMs: nowMs, lastUsedAtMs: null });
    const login = await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'op-password-session@example.com', password: testPassword } });
    assert.equal(login.statusCode, 200, `no second step for a passkey account: ${login.body}`);
    const passwordOnly = login.cookies.find((c) => c.name === '__Host-gatehouse_session')?.value ?? assert.fail('a session');
    for (const token of [passwordOnly, op.token]) {
      const refused = await get(withSession(token));
      assert.equal(refused.statusCode, 403);
      assert.match(refused.body, /step_up_required/);
      assert.doesNotMatch(refused.body, /Operator console/);
      const json = await t.app.inject({ method: 'GET', url: '/admin/users', headers: { accept: 'application/json', ...withSession(token) } });
      assert.equal(json.statusCode, 403);
      assert.equal(json.json().code, 'step_up_required');
    }
    // The same with TOTP: a session from before TOTP was turned on (its amr says pwd only).
    await seedConfirmedTotp(t.core, op.userId);
    assert.equal((await get(withSession(passwordOnly))).statusCode, 403);
    // A session that used a second factor gets the console.
    await markSessionsMultiFactor(t.core, op.userId);
    assert.equal((await get(withSession(passwordOnly))).statusCode, 200);
  });

  it('an operator whose rights are revoked is refused on the very next request (SEC-278)', async () => {
    const op = await account('op-revoked@example.com');
    await makeConsoleOperator(t.core, op.userId);
    assert.equal((await get(withSession(op.token))).statusCode, 200);
    await revokeOperator(t.core, op.userId, testContext());
    assert.equal((await get(withSession(op.token))).statusCode, 404);
  });

  it('a console idle for 15 minutes asks for a re-authentication, which opens it again; use keeps it open (SEC-274)', async () => {
    const op = await account('op-idle@example.com');
    await makeConsoleOperator(t.core, op.userId);
    assert.equal((await get(withSession(op.token))).statusCode, 200);
    // Used every 10 minutes, it stays open well past 15 minutes after the login.
    for (let i = 0; i < 3; i++) {
      t.core.clock.advance(10 * 60_000);
      assert.equal((await get(withSession(op.token), '/admin?x=1')).statusCode, 200, `use ${i}`);
    }
    t.core.clock.advance(15 * 60_000 + 1000);
    const idle = await get(withSession(op.token), '/admin?x=1');
    assert.equal(idle.statusCode, 303);
    assert.equal(idle.headers.location, `/account/reauth?return_to=${encodeURIComponent('/admin?x=1')}`);
    // The account's own session goes on: only the console is locked.
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(op.token) })).statusCode, 200);

    const reauth = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers: { ...sameOriginJson, ...withSession(op.token) }, payload: { password: testPassword } });
    assert.equal(reauth.statusCode, 200, reauth.body);
    assert.equal((await get(withSession(op.token))).statusCode, 200);
  });

  it('a session that was never used in the console and is older than the idle limit must re-authenticate first (SEC-274)', async () => {
    const op = await account('op-old-session@example.com');
    await makeConsoleOperator(t.core, op.userId);
    t.core.clock.advance(2 * 60 * 60_000);
    assert.equal((await get(withSession(op.token))).statusCode, 303);
  });
});
