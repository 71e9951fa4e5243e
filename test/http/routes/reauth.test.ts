// docs/security.md SEC-100 and SEC-105 over HTTP: POST /v1/me/reauth, and the sensitive routes
// answering 403 reauthentication_required to a session that authenticated too long ago.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { passkeyCeremonyCookieName } from '../../../src/http/passkey-cookies.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';
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

describe('re-authenticating with a passkey over the JSON API (docs/security.md SEC-192)', () => {
  it('options for the account’s passkeys, then the answer as `passkey` opens the gate; a replay is refused', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'passkey-reauth@example.com', testPassword);
      const authenticator = createSoftAuthenticator({ origin: testOrigin });
      const ceremony = (response: LightMyRequestResponse): string => response.cookies.find((c) => c.name === passkeyCeremonyCookieName && c.value !== '')?.value ?? '';
      const registration = await t.app.inject({ method: 'POST', url: '/v1/me/passkeys/registration/options', headers: { ...sameOriginJson, ...withSession(session) }, payload: {} });
      const added = await t.app.inject({
        method: 'POST',
        url: '/v1/me/passkeys/registration/verify',
        headers: { ...sameOriginJson, cookie: `${withSession(session).cookie}; ${passkeyCeremonyCookieName}=${ceremony(registration)}` },
        payload: { response: authenticator.register(registration.json().options) },
      });
      assert.equal(added.statusCode, 201, added.body);
      t.core.clock.advance(5 * 60_000 + 1);
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { origin: testOrigin, ...withSession(session) } })).json().code, 'reauthentication_required');

      const started = await t.app.inject({ method: 'POST', url: '/v1/me/reauth/passkey/options', headers: { ...sameOriginJson, ...withSession(session) }, payload: {} });
      assert.equal(started.statusCode, 200, started.body);
      const headers = { ...sameOriginJson, cookie: `${withSession(session).cookie}; ${passkeyCeremonyCookieName}=${ceremony(started)}` };
      const answer = authenticator.assert(started.json().options);
      const done = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers, payload: { passkey: answer } });
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual(done.json().amr, ['hwk', 'pwd', 'user']);
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { origin: testOrigin, ...withSession(session) } })).statusCode, 200);
      const replayed = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers, payload: { passkey: authenticator.assert(started.json().options) } });
      assert.equal(replayed.json().code, 'passkey_challenge_invalid');
    } finally {
      await t.close();
    }
  });
});
