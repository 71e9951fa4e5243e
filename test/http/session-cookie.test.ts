// docs/security.md SEC-9, SEC-10, SEC-11, SEC-12, SEC-13, SEC-14, SEC-15 ("Session cookie"), through the real HTTP app.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { disableAccount } from '../../src/core/accounts/set-account-disabled.ts';
import { deleteAccountAsOperator } from '../../src/core/accounts/delete-account.ts';
import { totpCodeAt } from '../../src/core/otp/totp.ts';
import { pendingLoginCookieName } from '../../src/http/session-cookie.ts';
import { testContext, testPassword } from '../support/core-deps.ts';
import {
  createTestApp,
  logInThroughApi,
  sameOriginJson,
  sessionTokenFrom,
  signUpThroughApi,
  withSession,
  type TestApp,
} from '../support/http-app.ts';

const dayMs = 24 * 60 * 60 * 1000;

describe('session cookie', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const getSession = (token: string, extra: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/v1/session', headers: { ...withSession(token), ...extra } });

  it('SEC-9: is __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ and has no Domain', async () => {
    await signUpThroughApi(t.app, 'nine@example.com', testPassword);
    const response = await logInThroughApi(t.app, 'nine@example.com', testPassword);
    assert.equal(response.statusCode, 200);
    const raw = String(response.headers['set-cookie']);
    assert.match(raw, /^__Host-gatehouse_session=/);
    assert.match(raw, /; Secure/);
    assert.match(raw, /; HttpOnly/);
    assert.match(raw, /; SameSite=Lax/);
    assert.match(raw, /; Path=\//);
    assert.doesNotMatch(raw, /Domain=/i);
  });

  it('stores only SHA-256 of the secret, and the token carries at least 128 bits of secret (SEC-57)', async () => {
    const token = await signUpThroughApi(t.app, 'hash@example.com', testPassword);
    const [id, secret] = token.split('.') as [string, string];
    assert.ok(Buffer.from(secret, 'base64url').length * 8 >= 128);
    const stored = await t.core.store.sessions.findWithUser(id);
    assert.ok(stored);
    assert.deepEqual(Buffer.from(stored.session.secretHash), createHash('sha256').update(secret).digest());
    assert.ok(!JSON.stringify({ ...stored.session, secretHash: [...stored.session.secretHash] }).includes(secret));
  });

  it('SEC-10: a session planted before login is dead after it, and login issues a new id', async () => {
    await signUpThroughApi(t.app, 'ten@example.com', testPassword);
    const planted = await signUpThroughApi(t.app, 'attacker10@example.com', testPassword);
    // The victim's browser carries the attacker's session cookie, then the victim logs in.
    const response = await logInThroughApi(t.app, 'ten@example.com', testPassword, withSession(planted));
    assert.equal(response.statusCode, 200);
    const fresh = sessionTokenFrom(response);
    assert.ok(fresh);
    assert.notEqual(fresh.split('.')[0], planted.split('.')[0]);
    assert.equal((await getSession(planted)).statusCode, 401);
    const me = await getSession(fresh);
    assert.equal(me.json().user.email, 'ten@example.com');
  });

  it('SEC-10: an emailed-code login and a second-factor login also end a planted session and issue a new id', async () => {
    const planted = await signUpThroughApi(t.app, 'attacker10c@example.com', testPassword);
    const proveFresh = async (response: Awaited<ReturnType<typeof getSession>>, email: string) => {
      assert.equal(response.statusCode, 200, response.body);
      const fresh = sessionTokenFrom(response);
      assert.ok(fresh);
      assert.notEqual(fresh.split('.')[0], planted.split('.')[0]);
      assert.equal((await getSession(fresh)).json().user.email, email);
    };

    await signUpThroughApi(t.app, 'ten-c@example.com', testPassword);
    const asked = await t.app.inject({ method: 'POST', url: '/v1/email-code', headers: sameOriginJson, payload: { email: 'ten-c@example.com' } });
    assert.equal(asked.statusCode, 202);
    const code = /\b(\d{6})\b/.exec(t.core.outbox.lastTo('ten-c@example.com')?.text ?? '')?.[1];
    assert.ok(code, 'the sign-in code was mailed');
    const byCode = await t.app.inject({
      method: 'POST',
      url: '/v1/session/email-code',
      headers: { ...sameOriginJson, ...withSession(planted) },
      payload: { email: 'ten-c@example.com', code },
    });
    await proveFresh(byCode, 'ten-c@example.com');
    assert.equal((await getSession(planted)).statusCode, 401, 'the planted session died at the code login');

    const plantedAgain = sessionTokenFrom(await logInThroughApi(t.app, 'attacker10c@example.com', testPassword));
    assert.ok(plantedAgain);
    const owner = await signUpThroughApi(t.app, 'ten-d@example.com', testPassword);
    const started = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { ...sameOriginJson, ...withSession(owner) }, payload: { password: testPassword } });
    assert.equal(started.statusCode, 200, started.body);
    const secret: string = started.json().secret;
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/v1/me/two-factor/totp/confirm',
      headers: { ...sameOriginJson, ...withSession(owner) },
      payload: { code: totpCodeAt(secret, t.core.clock.nowMs()), password: testPassword },
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    t.core.clock.advance(30_000);
    const firstStep = await logInThroughApi(t.app, 'ten-d@example.com', testPassword, withSession(plantedAgain));
    assert.equal(firstStep.json().code, 'second_factor_required');
    const pending = firstStep.cookies.find((c) => c.name === pendingLoginCookieName && c.value !== '')?.value;
    assert.ok(pending);
    const secondStep = await t.app.inject({
      method: 'POST',
      url: '/v1/session/second-factor',
      headers: { ...sameOriginJson, cookie: `${withSession(plantedAgain).cookie}; ${pendingLoginCookieName}=${pending}` },
      payload: { code: totpCodeAt(secret, t.core.clock.nowMs()) },
    });
    await proveFresh(secondStep, 'ten-d@example.com');
    assert.equal((await getSession(plantedAgain)).statusCode, 401, 'the planted session died at the second step');
  });

  it('SEC-10: a password change (privilege change) issues a new session id and kills the old one', async () => {
    const old = await signUpThroughApi(t.app, 'ten-b@example.com', testPassword);
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { ...sameOriginJson, ...withSession(old) },
      payload: { currentPassword: testPassword, newPassword: 'an entirely different passphrase' },
    });
    assert.equal(response.statusCode, 200);
    const fresh = sessionTokenFrom(response);
    assert.ok(fresh);
    assert.notEqual(fresh.split('.')[0], old.split('.')[0]);
    assert.equal((await getSession(old)).statusCode, 401);
    assert.equal((await getSession(fresh)).statusCode, 200);
  });

  it('SEC-11: an unknown or malformed cookie value is never adopted', async () => {
    const token = await signUpThroughApi(t.app, 'eleven@example.com', testPassword);
    const [id] = token.split('.') as [string];
    for (const bogus of ['x', `${id}.${'A'.repeat(43)}`, `${'B'.repeat(22)}.${'C'.repeat(43)}`, `${token}x`, '']) {
      const response = await getSession(bogus);
      assert.equal(response.statusCode, 401, bogus);
      assert.equal(sessionTokenFrom(response), undefined, 'no session is created for an unknown value');
    }
  });

  it('SEC-11: a session token in the URL or in a header other than Cookie is ignored', async () => {
    const token = await signUpThroughApi(t.app, 'eleven-b@example.com', testPassword);
    for (const url of [`/v1/session?session=${token}`, `/v1/session?__Host-gatehouse_session=${token}`]) {
      assert.equal((await t.app.inject({ method: 'GET', url })).statusCode, 401, url);
    }
    // A path parameter is a different resource altogether.
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/session;jsessionid=${token}` })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
  });

  it('SEC-12: the cookie replayed after logout gets 401', async () => {
    const token = await signUpThroughApi(t.app, 'twelve@example.com', testPassword);
    const logout = await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { origin: 'https://auth.test', ...withSession(token) } });
    assert.equal(logout.statusCode, 204);
    assert.match(String(logout.headers['set-cookie']), /__Host-gatehouse_session=;/);
    assert.equal((await getSession(token)).statusCode, 401);
  });

  it('SEC-13: past the idle limit -> 401; activity within it keeps the session alive', async () => {
    const token = await signUpThroughApi(t.app, 'thirteen@example.com', testPassword);
    t.core.clock.advance(6 * dayMs);
    assert.equal((await getSession(token)).statusCode, 200, 'used within the idle limit');
    t.core.clock.advance(6 * dayMs);
    assert.equal((await getSession(token)).statusCode, 200, 'the last use reset the idle clock');
    t.core.clock.advance(7 * dayMs + 1);
    assert.equal((await getSession(token)).statusCode, 401, 'idle for longer than 7 days');
  });

  it('SEC-13: past the absolute limit despite activity -> 401', async () => {
    const token = await signUpThroughApi(t.app, 'thirteen-b@example.com', testPassword);
    for (let day = 0; day < 29; day++) {
      t.core.clock.advance(dayMs);
      assert.equal((await getSession(token)).statusCode, 200, `day ${day + 1}`);
    }
    t.core.clock.advance(dayMs);
    assert.equal((await getSession(token)).statusCode, 401, '30 days after login');
  });

  it('SEC-14: disabling the account refuses all its sessions at once', async () => {
    const a = await signUpThroughApi(t.app, 'fourteen@example.com', testPassword);
    const b = sessionTokenFrom(await logInThroughApi(t.app, 'fourteen@example.com', testPassword));
    assert.ok(b);
    const user = await t.core.store.users.findByEmail('fourteen@example.com');
    assert.ok(user);
    assert.equal(await disableAccount(t.core, user.id, testContext('cli')), true);
    assert.equal((await getSession(a)).statusCode, 401);
    assert.equal((await getSession(b)).statusCode, 401);
    const login = await logInThroughApi(t.app, 'fourteen@example.com', testPassword);
    assert.equal(login.statusCode, 403);
    assert.equal(login.json().code, 'account_disabled');
  });

  it('SEC-14: disabled between two writes: the session check alone refuses a disabled account', async () => {
    const token = await signUpThroughApi(t.app, 'fourteen-c@example.com', testPassword);
    const user = await t.core.store.users.findByEmail('fourteen-c@example.com');
    assert.ok(user);
    // Only the flag, not the session deletion: the check must still refuse.
    await t.core.store.users.setDisabledAt(user.id, t.core.clock.nowMs(), t.core.clock.nowMs());
    assert.equal((await getSession(token)).statusCode, 401);
  });

  it('SEC-14: deleting the account refuses its sessions at once', async () => {
    const token = await signUpThroughApi(t.app, 'fourteen-b@example.com', testPassword);
    const user = await t.core.store.users.findByEmail('fourteen-b@example.com');
    assert.ok(user);
    await deleteAccountAsOperator(t.core, user.id, testContext('cli'));
    assert.equal((await getSession(token)).statusCode, 401);
  });

  it('SEC-15: changing the password or deleting the account needs the current password', async () => {
    const token = await signUpThroughApi(t.app, 'fifteen@example.com', testPassword);
    const change = await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { ...sameOriginJson, ...withSession(token) },
      payload: { currentPassword: 'not the password at all', newPassword: 'an entirely different passphrase' },
    });
    assert.equal(change.statusCode, 403);
    assert.equal(change.json().code, 'wrong_password');
    const remove = await t.app.inject({
      method: 'DELETE',
      url: '/v1/me',
      headers: { ...sameOriginJson, ...withSession(token) },
      payload: { password: 'not the password at all' },
    });
    assert.equal(remove.statusCode, 403);
    assert.equal((await getSession(token)).statusCode, 200, 'nothing changed');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/v1/me/password',
      headers: { ...sameOriginJson, ...withSession(token) },
      payload: { newPassword: 'an entirely different passphrase' },
    });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'validation_failed');
  });
});
