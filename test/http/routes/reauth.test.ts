// docs/security.md SEC-100 and SEC-105 over HTTP: POST /v1/me/reauth, and the sensitive routes
// answering 403 reauthentication_required to a session that authenticated too long ago.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';

describe('POST /v1/me/reauth and the recent re-authentication gate (SEC-100)', () => {
  let t: TestApp;
  let session: string;
  before(async () => {
    t = await createTestApp();
    session = await signUpThroughApi(t.app, 'gate@example.com', testPassword);
  });
  after(() => t.close());

  const call = (method: 'POST' | 'DELETE', url: string, payload?: Record<string, string>) =>
    t.app.inject({ method, url, headers: { ...(payload === undefined ? { origin: testOrigin } : sameOriginJson), ...withSession(session) }, ...(payload === undefined ? {} : { payload }) });

  it('a stale session cannot start TOTP enrolment (SEC-105); re-authenticating opens the gate for five minutes', async () => {
    const listed = (await t.app.inject({ method: 'GET', url: '/v1/sessions', headers: withSession(session) })).json().sessions[0];
    assert.deepEqual(listed.amr, ['pwd']);
    t.core.clock.advance(5 * 60_000 + 1);
    const refused = await call('POST', '/v1/me/two-factor/totp');
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'reauthentication_required');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/me/two-factor', headers: withSession(session) })).json().totp, 'off');

    const wrong = await call('POST', '/v1/me/reauth', { password: 'not the password at all' });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().code, 'wrong_password');
    assert.equal((await call('POST', '/v1/me/reauth', {})).statusCode, 400, 'a proof is required');

    const done = await call('POST', '/v1/me/reauth', { password: testPassword });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().authTime, new Date(t.core.clock.nowMs()).toISOString());
    assert.deepEqual(done.json().amr, ['pwd']);
    assert.equal(done.json().reauthenticatedUntil, new Date(t.core.clock.nowMs() + 5 * 60_000).toISOString());
    const started = await call('POST', '/v1/me/two-factor/totp');
    assert.equal(started.statusCode, 200, started.body);
  });

  it('the password sent along still works where the API took it', async () => {
    t.core.clock.advance(5 * 60_000 + 1);
    assert.equal((await call('DELETE', '/v1/me/two-factor/totp')).json().code, 'reauthentication_required');
    assert.equal((await call('DELETE', '/v1/me/two-factor/totp', { password: testPassword })).statusCode, 204);
  });
});
