// Sign-up and email verification over HTTP with verification required, mails through real SMTP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testPassword } from '../../support/core-deps.ts';
import { logInThroughApi, sameOriginJson, sessionTokenFrom, testOrigin } from '../../support/http-app.ts';
import { createMailTestApp, type MailTestApp } from '../../support/mail-test-app.ts';
import { linkIn } from '../../support/smtp-capture.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin };

// A mail that never arrives fails the suite instead of hanging it.
describe('sign-up and email verification over HTTP (verification required)', { timeout: 60_000 }, () => {
  let t: MailTestApp;
  let ip = 0;
  before(async () => {
    t = await createMailTestApp({ accountSecurityPolicy: { requireVerifiedEmail: true } });
  });
  after(() => t.close());

  const signUp = (email: string, password = testPassword) =>
    t.app.inject({ method: 'POST', url: '/v1/users', remoteAddress: `192.0.2.${++ip}`, headers: sameOriginJson, payload: { email, password } });

  it('SEC-47: signing up with an existing address answers exactly like a new one; its owner gets a mail instead', async () => {
    const before = t.smtp.mails.length;
    const fresh = await signUp('fresh@example.com');
    // Mails to one address are spaced a minute apart; past that, the owner hears of the second sign-up.
    t.core.clock.advance(61_000);
    const again = await signUp('Fresh@Example.com', 'some other long passphrase');
    assert.equal(fresh.statusCode, 202);
    assert.equal(again.statusCode, fresh.statusCode);
    assert.equal(again.body, fresh.body, 'byte for byte the same body');
    assert.deepEqual(Object.keys(again.headers).sort(), Object.keys(fresh.headers).sort());
    assert.equal(fresh.headers['set-cookie'], undefined, 'sign-up never logs in');
    await t.smtp.next('fresh@example.com', 'Confirm your email address', before);
    const notice = await t.smtp.next('fresh@example.com', 'You already have an account', before);
    assert.ok(!notice.text.includes('/verify'), 'the existing account gets no verification link');
  });

  it('an unverified account cannot log in; the link from the mail (opened, then confirmed) lets it (SEC-62)', async () => {
    const before = t.smtp.mails.length;
    const page = await t.app.inject({ method: 'POST', url: '/signup', remoteAddress: '192.0.2.250', headers: form, payload: new URLSearchParams({ email: 'ada@example.com', password: testPassword }).toString() });
    assert.equal(page.statusCode, 303);
    assert.equal(page.headers.location, '/verify?sent=signup');
    assert.match((await t.app.inject({ method: 'GET', url: '/verify?sent=signup' })).body, /Check your inbox/);

    const refused = await logInThroughApi(t.app, 'ada@example.com', testPassword);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'email_not_verified');
    assert.equal(sessionTokenFrom(refused), undefined);

    const link = linkIn(await t.smtp.next('ada@example.com', 'Confirm your email address', before), '/verify');
    assert.equal(link.origin, testOrigin);
    const opened = await t.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    assert.equal(opened.statusCode, 200);
    assert.match(opened.body, /<form method="post" action="\/verify">/);
    assert.equal((await logInThroughApi(t.app, 'ada@example.com', testPassword)).statusCode, 403, 'opening the link (GET) verifies nothing');

    const confirmed = await t.app.inject({ method: 'POST', url: '/verify', headers: form, payload: new URLSearchParams({ token: link.searchParams.get('token') as string }).toString() });
    assert.equal(confirmed.statusCode, 303);
    assert.equal(confirmed.headers.location, '/login?done=verified');
    assert.match((await t.app.inject({ method: 'GET', url: '/login?done=verified' })).body, /Your email address is confirmed/);
    assert.equal((await logInThroughApi(t.app, 'ada@example.com', testPassword)).statusCode, 200);
  });

  it('JSON: confirm with the token; a reused token is invalid_link; a resend answers alike for every address', async () => {
    const before = t.smtp.mails.length;
    await signUp('json@example.com');
    const token = linkIn(await t.smtp.next('json@example.com', 'Confirm', before), '/verify').searchParams.get('token') as string;
    const ok = await t.app.inject({ method: 'POST', url: '/v1/email-verification/confirm', headers: sameOriginJson, payload: { token } });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { email: 'json@example.com', verified: true });
    const reused = await t.app.inject({ method: 'POST', url: '/v1/email-verification/confirm', headers: sameOriginJson, payload: { token } });
    assert.equal(reused.statusCode, 400);
    assert.equal(reused.json().code, 'invalid_link');

    const answers = [];
    for (const email of ['json@example.com', 'nobody@example.com']) {
      answers.push(await t.app.inject({ method: 'POST', url: '/v1/email-verification', remoteAddress: `192.0.2.${++ip}`, headers: sameOriginJson, payload: { email } }));
    }
    assert.deepEqual(answers.map((a) => a.statusCode), [202, 202]);
    assert.deepEqual(answers.map((a) => Object.keys(a.json())), [['status', 'email'], ['status', 'email']]);
  });
});
