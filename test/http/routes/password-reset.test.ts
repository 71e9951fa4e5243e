// Password reset over HTTP, with every mail through nodemailer to a real SMTP server on loopback:
// docs/security.md SEC-6, SEC-7, SEC-8 and SEC-47 (identical answers).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { testPassword } from '../../support/core-deps.ts';
import { logInThroughApi, sameOriginJson, sessionTokenFrom, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';
import { createMailTestApp, type MailTestApp } from '../../support/mail-test-app.ts';
import { linkIn } from '../../support/smtp-capture.ts';

const newPassword = 'a completely new passphrase';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

// A mail that never arrives fails the suite instead of hanging it.
describe('password reset over HTTP, mails through real SMTP', { timeout: 60_000 }, () => {
  let t: MailTestApp;
  let ip = 0;
  before(async () => {
    t = await createMailTestApp();
    await createClient(t.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
  });
  after(() => t.close());

  const requestReset = (email: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/v1/password-reset', remoteAddress: `192.0.2.${++ip}`, headers: { ...sameOriginJson, ...headers }, payload: { email } });
  const confirm = (token: string, password = newPassword) =>
    t.app.inject({ method: 'POST', url: '/v1/password-reset/confirm', headers: sameOriginJson, payload: { token, newPassword: password } });
  const tokenOf = async (email: string, after: number): Promise<string> => {
    const mail = await t.smtp.next(email, 'Reset your password', after);
    return linkIn(mail, '/reset').searchParams.get('token') as string;
  };

  it('SEC-47: the answer is the same for an address with an account and one without; both get a mail', async () => {
    await signUpThroughApi(t.app, 'known@example.com', testPassword);
    const before = t.smtp.mails.length;
    const known = await requestReset('known@example.com');
    const unknown = await requestReset('unknown@example.com');
    assert.equal(known.statusCode, 202);
    assert.equal(unknown.statusCode, known.statusCode);
    assert.deepEqual(Object.keys(unknown.json()), Object.keys(known.json()));
    assert.equal(known.json().status, 'check_email');
    assert.equal(unknown.json().status, 'check_email');
    assert.deepEqual(Object.keys(unknown.headers).sort(), Object.keys(known.headers).sort());
    assert.equal(known.headers['set-cookie'], undefined);
    await t.smtp.next('known@example.com', 'Reset your password', before);
    const note = await t.smtp.next('unknown@example.com', 'Password reset requested', before);
    assert.ok(!note.text.includes('/reset?token='), 'no link for an address without an account');
  });

  it('SEC-7: a request with Host: evil.example (and X-Forwarded-Host) still mails a link to the configured origin', async () => {
    await signUpThroughApi(t.app, 'host@example.com', testPassword);
    const before = t.smtp.mails.length;
    const response = await requestReset('host@example.com', { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' });
    assert.equal(response.statusCode, 202);
    const mail = await t.smtp.next('host@example.com', 'Reset your password', before);
    assert.equal(linkIn(mail, '/reset').origin, testOrigin);
    assert.ok(!mail.text.includes('evil.example') && !mail.html.includes('evil.example'));
  });

  it('SEC-8: the new password ends every session and refresh token of the account, and logs nobody in', async () => {
    const first = await signUpThroughApi(t.app, 'eight@example.com', testPassword);
    const second = sessionTokenFrom(await logInThroughApi(t.app, 'eight@example.com', testPassword));
    assert.ok(second);
    const grant = await t.app.inject({ method: 'POST', url: '/v1/token', headers: form, payload: new URLSearchParams({ grant_type: 'password', username: 'eight@example.com', password: testPassword, client_id: 'spa' }).toString() });
    assert.equal(grant.statusCode, 200, grant.body);
    const refreshToken = grant.json().refresh_token as string;

    const before = t.smtp.mails.length;
    await requestReset('eight@example.com');
    const done = await confirm(await tokenOf('eight@example.com', before));
    assert.equal(done.statusCode, 204, done.body);
    assert.equal(sessionTokenFrom(done), undefined, 'the reset does not log in');

    for (const token of [first, second]) assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).statusCode, 401);
    const refreshed = await t.app.inject({ method: 'POST', url: '/v1/token', headers: form, payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'spa' }).toString() });
    assert.equal(refreshed.json().error, 'invalid_grant');
    assert.equal((await logInThroughApi(t.app, 'eight@example.com', testPassword)).statusCode, 401);
    assert.equal((await logInThroughApi(t.app, 'eight@example.com', newPassword)).statusCode, 200);
    await t.smtp.next('eight@example.com', 'Your password was reset', before);
  });

  it('SEC-6: the link works once', async () => {
    await signUpThroughApi(t.app, 'once@example.com', testPassword);
    const before = t.smtp.mails.length;
    await requestReset('once@example.com');
    const token = await tokenOf('once@example.com', before);
    assert.equal((await confirm(token)).statusCode, 204);
    const again = await confirm(token, 'one more new passphrase');
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().code, 'invalid_link');
  });

  it('the pages: /forgot -> mail -> /reset form (opening it uses nothing up) -> new password -> /login', async () => {
    await signUpThroughApi(t.app, 'pages@example.com', testPassword);
    const before = t.smtp.mails.length;
    const forgot = await t.app.inject({ method: 'POST', url: '/forgot', remoteAddress: '192.0.2.200', headers: { ...form, origin: testOrigin }, payload: 'email=pages%40example.com' });
    assert.equal(forgot.statusCode, 303);
    assert.equal(forgot.headers.location, '/forgot?sent=1');
    const sent = await t.app.inject({ method: 'GET', url: '/forgot?sent=1' });
    assert.match(sent.body, /Check your inbox/);
    const link = linkIn(await t.smtp.next('pages@example.com', 'Reset your password', before), '/reset');
    for (let i = 0; i < 2; i++) {
      const page = await t.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Choose a new password/);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);
    }
    const token = link.searchParams.get('token') as string;
    const weak = await t.app.inject({ method: 'POST', url: '/reset', headers: { ...form, origin: testOrigin }, payload: new URLSearchParams({ token, newPassword: 'short' }).toString() });
    assert.equal(weak.statusCode, 400);
    assert.match(weak.body, /Use at least 15 characters/);
    const set = await t.app.inject({ method: 'POST', url: '/reset', headers: { ...form, origin: testOrigin }, payload: new URLSearchParams({ token, newPassword }).toString() });
    assert.equal(set.statusCode, 303);
    assert.equal(set.headers.location, '/login?done=reset');
    const expired = await t.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    assert.equal(expired.statusCode, 400);
    assert.match(expired.body, /does not work/);
  });

  it('SEC-16: a cross-site POST to the reset endpoints is refused', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/password-reset', headers: { ...sameOriginJson, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, payload: { email: 'known@example.com' } });
    assert.equal(response.statusCode, 403);
  });
});
