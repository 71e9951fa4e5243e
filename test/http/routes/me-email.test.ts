// The change of email address over the JSON API and the pages: docs/security.md SEC-142, SEC-143.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestCore } from '../../support/core-deps.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded', origin: testOrigin };

function tokenMailedTo(core: TestCore, to: string): string {
  const text = core.outbox.lastTo(to)?.text ?? '';
  return /\/account\/email\/confirm\?token=([A-Za-z0-9_.-]+)/.exec(text)?.[1] ?? assert.fail(`no confirmation link mailed to ${to}`);
}

describe('POST /v1/me/email and /v1/me/email/confirm', () => {
  it('SEC-142: 202 check_email and nothing changes; the token confirms once, ends the other sessions and keeps the caller', async () => {
    const t = await createTestApp();
    try {
      const laptop = await signUpThroughApi(t.app, 'api@example.com', testPassword);
      const phone = await signUpThroughApi(t.app, 'api2@example.com', testPassword).then(() => t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'api@example.com', password: testPassword } }));
      const phoneCookie = phone.cookies.find((c) => c.name === '__Host-gatehouse_session')!.value;
      const asked = await t.app.inject({ method: 'POST', url: '/v1/me/email', headers: { ...sameOriginJson, ...withSession(laptop) }, payload: { email: 'API-new@example.com' } });
      assert.equal(asked.statusCode, 202, asked.body);
      assert.deepEqual(asked.json(), { status: 'check_email', email: 'api-new@example.com' });
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(laptop) })).json().user.email, 'api@example.com');

      const token = tokenMailedTo(t.core, 'api-new@example.com');
      const confirmed = await t.app.inject({ method: 'POST', url: '/v1/me/email/confirm', headers: { ...sameOriginJson, ...withSession(laptop) }, payload: { token } });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.equal(confirmed.json().user.email, 'api-new@example.com');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(laptop) })).statusCode, 200, 'the caller keeps its session');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(phoneCookie) })).statusCode, 401, 'the other session ended');
      const again = await t.app.inject({ method: 'POST', url: '/v1/me/email/confirm', headers: sameOriginJson, payload: { token } });
      assert.equal(again.statusCode, 400);
      assert.equal(again.json().code, 'invalid_link');
      // The new address logs in; the old one no longer does.
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'api-new@example.com', password: testPassword } })).statusCode, 200);
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/session', headers: sameOriginJson, payload: { email: 'api@example.com', password: testPassword } })).statusCode, 401);
    } finally {
      await t.close();
    }
  });

  it('SEC-143: the answer for an address that has an account is byte for byte the one for a free address', async () => {
    const t = await createTestApp();
    try {
      await signUpThroughApi(t.app, 'owner@example.com', testPassword);
      const prober = await signUpThroughApi(t.app, 'prober@example.com', testPassword);
      const ask = (email: string) => t.app.inject({ method: 'POST', url: '/v1/me/email', headers: { ...sameOriginJson, ...withSession(prober) }, payload: { email } });
      const free = await ask('nobody@example.com');
      const taken = await ask('owner@example.com');
      assert.equal(taken.statusCode, free.statusCode);
      assert.equal(taken.body.replace('owner@example.com', 'X'), free.body.replace('nobody@example.com', 'X'));
      const headerNames = (r: typeof free) => Object.keys(r.headers).filter((h) => h !== 'date' && h !== 'content-length').sort();
      assert.deepEqual(headerNames(taken), headerNames(free));
    } finally {
      await t.close();
    }
  });

  it('refuses without a session, cross-site, without a recent re-authentication, and bad bodies as problem+json', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'gate@example.com', testPassword);
      assert.equal((await t.app.inject({ method: 'POST', url: '/v1/me/email', headers: sameOriginJson, payload: { email: 'x@example.com' } })).statusCode, 401);
      const crossSite = await t.app.inject({ method: 'POST', url: '/v1/me/email', headers: { ...sameOriginJson, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', ...withSession(session) }, payload: { email: 'x@example.com' } });
      assert.equal(crossSite.statusCode, 403);
      for (const payload of [{}, { email: 1 }, { email: 'x@example.com', extra: true }, { email: 'x@example.com', password: 'a', code: '1' }]) {
        const bad = await t.app.inject({ method: 'POST', url: '/v1/me/email', headers: { ...sameOriginJson, ...withSession(session) }, payload });
        assert.equal(bad.statusCode, 400, JSON.stringify(payload));
        assert.match(String(bad.headers['content-type']), /^application\/problem\+json/);
      }
      t.core.clock.advance(t.core.sessionPolicy.reauthWindowMs + 1);
      const stale = await t.app.inject({ method: 'POST', url: '/v1/me/email', headers: { ...sameOriginJson, ...withSession(session) }, payload: { email: 'x@example.com' } });
      assert.equal(stale.statusCode, 403);
      assert.equal(stale.json().code, 'reauthentication_required');
      const proved = await t.app.inject({ method: 'POST', url: '/v1/me/email', headers: { ...sameOriginJson, ...withSession(session) }, payload: { email: 'x@example.com', password: testPassword } });
      assert.equal(proved.statusCode, 202, proved.body);
    } finally {
      await t.close();
    }
  });

  it('the pages: /account form -> check your inbox -> landing page (GET changes nothing) -> confirm -> /account?done=email-changed', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'page@example.com', testPassword);
      const account = await t.app.inject({ method: 'GET', url: '/account', headers: withSession(session) });
      assert.match(account.body, /<form method="post" action="\/account\/email">/);
      const asked = await t.app.inject({ method: 'POST', url: '/account/email', headers: { ...form, ...withSession(session) }, payload: new URLSearchParams({ email: 'page-new@example.com' }).toString() });
      assert.equal(asked.statusCode, 303, asked.body);
      assert.equal(asked.headers.location, '/account/email/sent');
      assert.match((await t.app.inject({ method: 'GET', url: '/account/email/sent', headers: withSession(session) })).body, /Check your new inbox/);
      const token = tokenMailedTo(t.core, 'page-new@example.com');
      const landing = await t.app.inject({ method: 'GET', url: `/account/email/confirm?token=${token}` });
      assert.equal(landing.statusCode, 200);
      assert.match(landing.body, /page-new@example\.com/);
      assert.match(landing.body, /a mail scanner that follows links cannot confirm it/);
      assert.equal((await t.core.store.users.findByEmail('page@example.com'))?.email, 'page@example.com', 'opening the link changes nothing');
      const done = await t.app.inject({ method: 'POST', url: '/account/email/confirm', headers: { ...form, ...withSession(session) }, payload: new URLSearchParams({ token }).toString() });
      assert.equal(done.statusCode, 303, done.body);
      assert.equal(done.headers.location, '/account?done=email-changed');
      assert.match((await t.app.inject({ method: 'GET', url: '/account?done=email-changed', headers: withSession(session) })).body, /Your email address is changed/);
      const used = await t.app.inject({ method: 'GET', url: `/account/email/confirm?token=${token}` });
      assert.equal(used.statusCode, 400);
      assert.match(used.body, /This link does not work/);
    } finally {
      await t.close();
    }
  });
});
