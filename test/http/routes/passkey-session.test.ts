import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { passkeyCeremonyCookieName } from '../../../src/http/passkey-cookies.ts';
import { sessionCookieName } from '../../../src/http/session-cookie.ts';
import { createTestApp, sameOriginJson, sessionTokenFrom, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

/** The passkey sign-up through the JSON API, for apps with their own pages (docs/security.md SEC-185). */
describe('passkey sign-up over the JSON API', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  const linkToken = (email: string): string => {
    const mail = t.core.outbox.lastTo(email);
    assert.equal(mail?.kind, 'passkey_signup');
    const token = new URL(/https:\/\/auth\.test\/signup\/passkey\/finish\?token=[^\s"<]+/.exec(mail.text)?.[0] ?? 'https://x').searchParams.get('token');
    assert.ok(token);
    return token;
  };

  test('POST /v1/passkeys/signup mails the link (202, no account); /signup/options and /signup/verify make the account with its passkey and log in', async () => {
    const email = 'json-passkey-signup@example.com';
    const requested = await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup', headers: sameOriginJson, payload: { email } });
    assert.equal(requested.statusCode, 202, requested.body);
    assert.deepEqual(requested.json(), { status: 'check_email', email });
    assert.equal(await t.core.store.users.findByEmail(email), null);
    const token = linkToken(email);

    const options = await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup/options', headers: sameOriginJson, payload: { token } });
    assert.equal(options.statusCode, 200, options.body);
    const ceremony = options.cookies.find((c) => c.name === passkeyCeremonyCookieName && c.value !== '');
    assert.ok(ceremony, 'the ceremony cookie');
    const authenticator = createSoftAuthenticator({ origin: testOrigin, synced: true });
    const verified = await t.app.inject({
      method: 'POST',
      url: '/v1/passkeys/signup/verify',
      headers: { ...sameOriginJson, cookie: `${passkeyCeremonyCookieName}=${ceremony.value}` },
      payload: { token, name: 'Synced key', response: authenticator.register(options.json().options) },
    });
    assert.equal(verified.statusCode, 200, verified.body);
    assert.equal(verified.json().user.email, email);
    assert.deepEqual(verified.json().amr, ['mfa', 'swk', 'user']);
    const session = sessionTokenFrom(verified);
    assert.ok(session, 'logged in');
    const listed = await t.app.inject({ method: 'GET', url: '/v1/me/passkeys', headers: withSession(session) });
    assert.deepEqual(
      listed.json().passkeys.map((p: { name: string; synced: boolean }) => [p.name, p.synced]),
      [['Synced key', true]],
    );

    // The link is spent: the address has its account now.
    const again = await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup/options', headers: sameOriginJson, payload: { token } });
    assert.equal(again.statusCode, 400, again.body);
    assert.equal(again.json().code, 'invalid_link');
  });

  test('without the ceremony cookie of the same browser, or with a made-up token, nothing is made', async () => {
    const email = 'json-passkey-nocookie@example.com';
    await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup', headers: sameOriginJson, payload: { email } });
    const token = linkToken(email);
    const options = await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup/options', headers: sameOriginJson, payload: { token } });
    const response = createSoftAuthenticator({ origin: testOrigin }).register(options.json().options);
    const refused = await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup/verify', headers: sameOriginJson, payload: { token, response } });
    assert.equal(refused.json().code, 'passkey_challenge_invalid');
    assert.ok(!refused.cookies.some((c) => c.name === sessionCookieName && c.value !== ''));
    const madeUp = await t.app.inject({ method: 'POST', url: '/v1/passkeys/signup/options', headers: sameOriginJson, payload: { token: `${token.slice(0, -4)}AAAA` } });
    assert.equal(madeUp.json().code, 'invalid_link');
    assert.equal(await t.core.store.users.findByEmail(email), null);
  });
});
