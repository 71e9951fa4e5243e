import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { sessionCookieName } from '../../../src/http/session-cookie.ts';
import { explainSessionEnd } from '../../../src/core/sessions/explain-session-end.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, logInThroughApi, sessionTokenFrom, signUpThroughApi, testOrigin, withSession } from '../../support/http-app.ts';
import { startTestIdp, withOAuthApp, type OAuthApp } from '../../support/oauth.ts';

/**
 * The pages' one "must be signed in" preHandler (src/http/pages/signed-in.ts), on every page that
 * uses it: no session -> 303 to /login with the page to come back to; a stale cookie is cleared
 * on the way. Before it was one preHandler, the identities pages' copy left a stale cookie behind.
 */

let idp: DemoIdp;
before(async () => {
  idp = await startTestIdp([]);
});
after(() => idp.close());

const form = { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

const guarded: Array<{ method: 'GET' | 'POST'; url: string; returnTo: string }> = [
  { method: 'GET', url: '/account', returnTo: '/account' },
  { method: 'POST', url: '/account/sessions/some-session/revoke', returnTo: '/account' },
  { method: 'POST', url: '/account/sessions/revoke-others', returnTo: '/account' },
  { method: 'POST', url: '/account/password', returnTo: '/account' },
  { method: 'POST', url: '/account/delete', returnTo: '/account' },
  { method: 'POST', url: '/account/identities/link/demo', returnTo: '/account' },
  { method: 'POST', url: '/account/identities/some-identity/unlink', returnTo: '/account' },
  { method: 'GET', url: '/account/two-factor', returnTo: '/account/two-factor' },
  { method: 'POST', url: '/account/two-factor/enrol', returnTo: '/account/two-factor' },
  { method: 'POST', url: '/account/two-factor/confirm', returnTo: '/account/two-factor' },
  { method: 'POST', url: '/account/two-factor/recovery-codes', returnTo: '/account/two-factor' },
  { method: 'POST', url: '/account/two-factor/disable', returnTo: '/account/two-factor' },
  { method: 'POST', url: '/account/two-factor/recovery-codes/download', returnTo: '/account/two-factor' },
];

function visit(t: OAuthApp, page: (typeof guarded)[number], cookies: Record<string, string>) {
  return t.app.inject({ method: page.method, url: page.url, headers: form, cookies, ...(page.method === 'POST' ? { payload: '' } : {}) });
}

/** A session token whose session has ended (logged out), as a browser may still hold. */
async function staleToken(t: OAuthApp, email: string): Promise<string> {
  const token = await signUpThroughApi(t.app, email, 'correct horse battery staple', { origin: testOrigin });
  const logout = await t.app.inject({ method: 'DELETE', url: '/v1/session', headers: { origin: testOrigin }, cookies: { [sessionCookieName]: token } });
  assert.equal(logout.statusCode, 204);
  return token;
}

describe('signed-in pages', () => {
  it('without a session cookie: 303 to /login?return_to=<the page>, and no cookie is set', () =>
    withOAuthApp(idp, async (t) => {
      for (const page of guarded) {
        const response = await visit(t, page, {});
        assert.equal(response.statusCode, 303, `${page.method} ${page.url}`);
        assert.equal(response.headers.location, `/login?return_to=${encodeURIComponent(page.returnTo)}`, `${page.method} ${page.url}`);
        assert.equal(response.headers['set-cookie'], undefined, `${page.method} ${page.url}`);
      }
    }));

  it('with a stale session cookie: 303 to /login, and the cookie is cleared on every page (the identities pages too)', () =>
    withOAuthApp(idp, async (t) => {
      const token = await staleToken(t, 'stale@example.com');
      for (const page of guarded) {
        const response = await visit(t, page, { [sessionCookieName]: token });
        assert.equal(response.statusCode, 303, `${page.method} ${page.url}`);
        assert.equal(response.headers.location, `/login?return_to=${encodeURIComponent(page.returnTo)}`, `${page.method} ${page.url}`);
        const cleared = response.cookies.find((c) => c.name === sessionCookieName);
        assert.equal(cleared?.value, '', `${page.method} ${page.url}: the stale cookie is cleared`);
      }
    }));

  it('with a valid session the page itself answers', () =>
    withOAuthApp(idp, async (t) => {
      const token = await signUpThroughApi(t.app, 'valid@example.com', 'correct horse battery staple', { origin: testOrigin });
      for (const url of ['/account', '/account/two-factor']) {
        const response = await t.app.inject({ method: 'GET', url, cookies: { [sessionCookieName]: token } });
        assert.equal(response.statusCode, 200, url);
        assert.match(response.body, /valid@example\.com/, url);
      }
    }));
});

// Why the user is on /login: after logout, after a revocation elsewhere (docs/security.md SEC-141), unverified.

describe('the reasons /login gives', () => {
  it('SEC-141: a session revoked from another session lands on /login?why=signed-out-elsewhere; the URL has no token and the cookie is cleared', async () => {
    const t = await createTestApp();
    try {
      const phone = await signUpThroughApi(t.app, 'why@example.com', testPassword);
      const laptop = sessionTokenFrom(await logInThroughApi(t.app, 'why@example.com', testPassword))!;
      const phoneId = phone.split('.')[0]!;
      const revoked = await t.app.inject({ method: 'POST', url: `/account/sessions/${phoneId}/revoke`, headers: { ...form, ...withSession(laptop) }, payload: '' });
      assert.equal(revoked.statusCode, 303, revoked.body);

      for (const path of ['/account', '/account/two-factor']) {
        const landed = await t.app.inject({ method: 'GET', url: path, headers: withSession(phone) });
        assert.equal(landed.statusCode, 303);
        const location = String(landed.headers.location);
        assert.equal(location, `/login?return_to=${encodeURIComponent(path)}&why=signed-out-elsewhere`);
        assert.ok(!location.includes(phoneId) && !location.includes(phone.split('.')[1]!), 'nothing of the token in the URL');
        assert.ok(landed.cookies.some((c) => c.name === '__Host-gatehouse_session' && c.value === ''), 'the dead cookie is cleared');
      }
      const login = await t.app.inject({ method: 'GET', url: '/login?return_to=%2Faccount&why=signed-out-elsewhere' });
      assert.match(login.body, /You were signed out on this device from another session/);
      // An unknown flag value is not echoed: the texts come from a fixed table.
      assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/login?why=%3Cb%3Ehi' })).body, /&lt;b|<b>|class="notice"/);
    } finally {
      await t.close();
    }
  });

  it('a garbage or logged-out cookie gets the plain /login redirect, without the "another session" claim', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'plain@example.com', testPassword);
      const out = await t.app.inject({ method: 'POST', url: '/logout', headers: { ...form, ...withSession(session) }, payload: '' });
      assert.equal(out.headers.location, '/login?done=logged-out');
      assert.match((await t.app.inject({ method: 'GET', url: '/login?done=logged-out' })).body, /You are logged out on this device/);
      assert.equal((await t.app.inject({ method: 'GET', url: '/account', headers: withSession(session) })).headers.location, '/login?return_to=%2Faccount');
      assert.equal((await t.app.inject({ method: 'GET', url: '/account', headers: withSession('garbage') })).headers.location, '/login?return_to=%2Faccount');
      assert.equal(await explainSessionEnd(t.core, session), 'unknown');
      assert.equal(await explainSessionEnd(t.core, 'not-a-token'), 'unknown');
    } finally {
      await t.close();
    }
  });

  it('an unverified address that logs in with the right password gets a button that mails a new link', async () => {
    const t = await createTestApp({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    try {
      await t.app.inject({ method: 'POST', url: '/signup', headers: form, payload: new URLSearchParams({ email: 'new@example.com', password: testPassword }).toString() });
      const login = await t.app.inject({ method: 'POST', url: '/login', headers: form, payload: new URLSearchParams({ email: 'new@example.com', password: testPassword }).toString() });
      assert.equal(login.statusCode, 403);
      assert.match(login.body, /<form method="post" action="\/verify\/resend"[^>]*>\s*<input type="hidden" name="email" value="new@example.com">/);
      // A wrong password says nothing about the address (no resend button).
      const wrong = await t.app.inject({ method: 'POST', url: '/login', headers: form, payload: new URLSearchParams({ email: 'new@example.com', password: 'not the password at all' }).toString() });
      assert.doesNotMatch(wrong.body, /verify\/resend/);
    } finally {
      await t.close();
    }
  });

  it('/account says whether two-factor is on; the pages link a favicon served from our origin', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'status@example.com', testPassword);
      const account = await t.app.inject({ method: 'GET', url: '/account', headers: withSession(session) });
      assert.match(account.body, /data-two-factor="off"/);
      assert.match(account.body, /<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml">/);
      const icon = await t.app.inject({ method: 'GET', url: '/favicon.svg' });
      assert.equal(icon.statusCode, 200);
      assert.equal(icon.headers['content-type'], 'image/svg+xml');
      assert.equal((await t.app.inject({ method: 'GET', url: '/favicon.ico' })).headers.location, '/favicon.svg');
    } finally {
      await t.close();
    }
  });
});
