import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { sessionCookieName } from '../../../src/http/session-cookie.ts';
import { signUpThroughApi, testOrigin } from '../../support/http-app.ts';
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
