// docs/security.md SEC-15 for the second factor, through the HTTP API: a stolen session cannot turn
// TOTP off or replace the recovery codes without proving it is the owner again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { testPassword } from '../../support/core-deps.ts';
import { sameOriginJson, sessionTokenFrom, signUpThroughApi, withSession, createTestApp, type TestApp } from '../../support/http-app.ts';

const minuteMs = 60_000;

describe('two-factor changes need re-authentication', () => {
  let t: TestApp;
  let session: string;
  let recoveryCodes: string[];
  before(async () => {
    t = await createTestApp();
    const first = await signUpThroughApi(t.app, 'reauth-2fa@example.com', testPassword);
    const started = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { ...sameOriginJson, ...withSession(first) }, payload: { password: testPassword } });
    assert.equal(started.statusCode, 200, started.body);
    const code = totpCodeAt(started.json().secret, t.core.clock.nowMs());
    const confirmed = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp/confirm', headers: { ...sameOriginJson, ...withSession(first) }, payload: { code, password: testPassword } });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    recoveryCodes = confirmed.json().recoveryCodes;
    const next = sessionTokenFrom(confirmed);
    assert.ok(next);
    session = next;
    // The thief holds this session long after its login, so no "recent login" can stand in for
    // the proof (the session itself stays valid: the idle limit is days).
    t.core.clock.advance(30 * minuteMs);
  });
  after(() => t.close());

  const status = async () => (await t.app.inject({ method: 'GET', url: '/v1/me/two-factor', headers: withSession(session) })).json();
  const call = (method: 'DELETE' | 'POST', url: string, payload: Record<string, string>) =>
    t.app.inject({ method, url, headers: { ...sameOriginJson, ...withSession(session) }, payload });
  const attempts: ReadonlyArray<readonly [string, Record<string, string>]> = [
    ['no proof', {}],
    ['a wrong password', { password: 'not the password at all' }],
    ['an emailed code that was never sent', { emailCode: '123456' }],
  ];

  for (const [what, payload] of attempts) {
    it(`SEC-15: turning TOTP off with ${what} is refused, and TOTP stays on`, async () => {
      const response = await call('DELETE', '/v1/me/two-factor/totp', payload);
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${response.statusCode} ${response.body}`);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal((await status()).totp, 'on');
    });

    it(`SEC-15: new recovery codes with ${what} are refused, and the old codes stay valid`, async () => {
      const response = await call('POST', '/v1/me/two-factor/recovery-codes', payload);
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${response.statusCode} ${response.body}`);
      assert.equal(response.json().recoveryCodes, undefined);
      assert.equal((await status()).recoveryCodesLeft, recoveryCodes.length);
    });
  }

  it('SEC-15: with the current password, both changes go through', async () => {
    const fresh = await call('POST', '/v1/me/two-factor/recovery-codes', { password: testPassword });
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(fresh.json().recoveryCodes.length, 10);
    assert.notDeepEqual(fresh.json().recoveryCodes, recoveryCodes);
    const off = await call('DELETE', '/v1/me/two-factor/totp', { password: testPassword });
    assert.equal(off.statusCode, 204, off.body);
    assert.equal((await status()).totp, 'off');
  });
});
