// Emailed sign-in codes over HTTP, every mail through real SMTP: docs/security.md SEC-43, SEC-44, SEC-47.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { sameOriginJson, sessionTokenFrom, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';
import { createMailTestApp, type MailTestApp } from '../../support/mail-test-app.ts';
import { codeIn } from '../../support/smtp-capture.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin };

describe('emailed sign-in codes over HTTP, mails through real SMTP', { timeout: 60_000 }, () => {
  let t: MailTestApp;
  let ip = 0;
  before(async () => {
    t = await createMailTestApp();
    await signUpThroughApi(t.app, 'code@example.com', testPassword);
  });
  after(() => t.close());

  const ask = (email: string) => t.app.inject({ method: 'POST', url: '/v1/email-code', remoteAddress: `192.0.2.${++ip}`, headers: sameOriginJson, payload: { email } });
  const use = (email: string, code: string) => t.app.inject({ method: 'POST', url: '/v1/session/email-code', remoteAddress: `192.0.2.${++ip}`, headers: sameOriginJson, payload: { email, code } });

  it('SEC-47: asking answers alike for an address with an account and one without', async () => {
    const known = await ask('code@example.com');
    const unknown = await ask('nobody@example.com');
    assert.equal(known.statusCode, 202);
    assert.equal(unknown.statusCode, 202);
    assert.deepEqual(Object.keys(unknown.json()), Object.keys(known.json()));
    assert.deepEqual(Object.keys(unknown.headers).sort(), Object.keys(known.headers).sort());
    await t.smtp.next('code@example.com', 'Your sign-in code');
  });

  it('SEC-43: the mailed code logs in once; SEC-44: the JSON error for a wrong code is invalid_code', async () => {
    t.core.clock.advance(61_000);
    const before = t.smtp.mails.length;
    await ask('code@example.com');
    const mail = await t.smtp.next('code@example.com', 'Your sign-in code', before);
    const code = codeIn(mail);
    // SEC-112: the code is in the body only, never in the subject that lock screens show.
    assert.ok(!mail.subject.includes(code), mail.subject);
    assert.doesNotMatch(mail.subject, /\d{6}/);
    const wrong = await use('code@example.com', code === '000000' ? '111111' : '000000');
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().code, 'invalid_code');
    const ok = await use('code@example.com', code);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.ok(sessionTokenFrom(ok));
    assert.equal((await use('code@example.com', code)).json().code, 'invalid_code');
  });

  it('the /login/code page: the same page after asking, then the code logs in', async () => {
    t.core.clock.advance(61_000);
    const before = t.smtp.mails.length;
    const asked = await t.app.inject({ method: 'POST', url: '/login/code', remoteAddress: '192.0.2.240', headers: form, payload: 'email=code%40example.com&return_to=%2Faccount' });
    const askedUnknown = await t.app.inject({ method: 'POST', url: '/login/code', remoteAddress: '192.0.2.241', headers: form, payload: 'email=ghost%40example.com&return_to=%2Faccount' });
    assert.equal(asked.statusCode, 200);
    assert.equal(askedUnknown.statusCode, 200);
    assert.equal(asked.body.replaceAll('code@example.com', 'X'), askedUnknown.body.replaceAll('ghost@example.com', 'X'), 'the same page either way');
    const code = codeIn(await t.smtp.next('code@example.com', 'Your sign-in code', before));
    const done = await t.app.inject({ method: 'POST', url: '/login/code/verify', headers: form, payload: new URLSearchParams({ email: 'code@example.com', code, return_to: '/account' }).toString() });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/account');
    const token = sessionTokenFrom(done)!;
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).statusCode, 200);
  });
});
