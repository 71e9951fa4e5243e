// docs/security.md SEC-102: every change to how an account signs in is mailed to its owner (what,
// when, from which device and IP, what to do if it wasn't them), through the production mail
// queue and SMTP transport to a real SMTP server (smtp-server) on loopback.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { createMailQueue, type MailQueue } from '../../../src/mail/mail-queue.ts';
import { createSmtpTransport } from '../../../src/mail/smtp-transport.ts';
import { testPassword } from '../../support/core-deps.ts';
import { sameOriginJson, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';
import { createMailTestApp, type MailTestApp } from '../../support/mail-test-app.ts';
import { anIdpUser, IdpBrowser, startTestIdp, withOAuthApp } from '../../support/oauth.ts';
import { linkIn, startSmtpCapture, type ReceivedMail, type SmtpCapture } from '../../support/smtp-capture.ts';

const device = 'Mozilla/5.0 (X11; Linux x86_64) NoticeTest/1.0';

function assertNotice(mail: ReceivedMail, what: RegExp, ip: string): void {
  assert.match(mail.text, what);
  assert.match(mail.text, /When: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\./);
  assert.ok(mail.text.includes(`"${device}" at IP address ${ip}`), mail.text);
  assert.match(mail.text, /If this wasn't you/);
  assert.equal(linkIn(mail, '/forgot').origin, testOrigin);
  assert.equal(linkIn(mail, '/account').origin, testOrigin);
  assert.ok(mail.html.includes('NoticeTest/1.0'));
}

describe('security notices over real SMTP (SEC-102)', () => {
  let t: MailTestApp;
  before(async () => {
    t = await createMailTestApp();
  });
  after(() => t.close());

  it('two-factor on, new recovery codes, two-factor off, password changed: one notice each', async () => {
    let session = await signUpThroughApi(t.app, 'notice@example.com', testPassword);
    const headers = () => ({ ...sameOriginJson, 'user-agent': device, ...withSession(session) });
    const started = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp', headers: { origin: testOrigin, 'user-agent': device, ...withSession(session) } });
    const secret = started.json().secret as string;
    const confirmed = await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/totp/confirm', headers: headers(), payload: { code: totpCodeAt(secret, t.core.clock.nowMs()) } });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    session = confirmed.cookies.find((c) => c.name === '__Host-gatehouse_session')?.value ?? assert.fail('new session');
    assertNotice(await t.smtp.next('notice@example.com', 'Two-factor authentication was turned on'), /Two-factor authentication was turned on/, '127.0.0.1');

    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/me/two-factor/recovery-codes', headers: headers(), payload: {} })).statusCode, 200);
    assertNotice(await t.smtp.next('notice@example.com', 'New recovery codes'), /New recovery codes were made/, '127.0.0.1');

    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/me/two-factor/totp', headers: headers(), payload: { password: testPassword } })).statusCode, 204);
    assertNotice(await t.smtp.next('notice@example.com', 'Two-factor authentication was turned off'), /the password alone logs in again/, '127.0.0.1');

    const changed = await t.app.inject({ method: 'POST', url: '/v1/me/password', headers: headers(), payload: { currentPassword: testPassword, newPassword: 'a brand new passphrase for notices' } });
    assert.equal(changed.statusCode, 200, changed.body);
    assertNotice(await t.smtp.next('notice@example.com', 'Your password was changed'), /was changed, and every other device was signed out/, '127.0.0.1');
  });
});

describe('provider linked and unlinked notices over real SMTP (SEC-102)', () => {
  const linker = anIdpUser();
  let idp: DemoIdp;
  let smtp: SmtpCapture;
  let queue: MailQueue;
  before(async () => {
    idp = await startTestIdp([linker]);
    smtp = await startSmtpCapture();
    queue = createMailQueue({ transports: [createSmtpTransport({ host: smtp.host, port: smtp.port, tls: 'none', user: '', password: '', from: 'Gatehouse <no-reply@auth.test>' })], onFailure: () => {}, retryDelaysMs: [] });
  });
  after(async () => {
    await queue.close();
    await smtp.close();
    await idp.close();
  });

  it('linking and unlinking a provider each mail the account', () =>
    withOAuthApp(
      idp,
      async (t) => {
        const token = await signUpThroughApi(t.app, 'linker@example.com', testPassword, { origin: testOrigin });
        const form = { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': device };
        const pressed = await t.app.inject({ method: 'POST', url: '/account/identities/link/demo', headers: form, cookies: { '__Host-gatehouse_session': token }, payload: '' });
        assert.equal(pressed.statusCode, 303, pressed.body);
        const flow = pressed.cookies.find((c) => c.name === '__Host-gatehouse_oauth')?.value ?? '';
        const back = await new IdpBrowser(linker).authorize(new URL(String(pressed.headers.location)));
        const linked = await t.app.inject({ method: 'GET', url: `${back.pathname}${back.search}`, headers: { accept: 'text/html', 'user-agent': device }, cookies: { '__Host-gatehouse_oauth': flow, '__Host-gatehouse_session': token } });
        assert.equal(linked.statusCode, 303, linked.body);
        assertNotice(await smtp.next('linker@example.com', 'A login provider was linked'), /Demo IdP was linked to your Gatehouse account/, '127.0.0.1');

        const id = (await t.app.inject({ method: 'GET', url: '/v1/me/identities', headers: withSession(token) })).json().identities[0].id as string;
        const unlinked = await t.app.inject({ method: 'DELETE', url: `/v1/me/identities/${id}`, headers: { origin: testOrigin, 'user-agent': device, ...withSession(token) } });
        assert.equal(unlinked.statusCode, 204, unlinked.body);
        assertNotice(await smtp.next('linker@example.com', 'A login provider was unlinked'), /Demo IdP was unlinked/, '127.0.0.1');
      },
      { core: { forwardMailTo: queue } },
    ));
});
