// docs/security.md SEC-19: open redirects after login.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { safeReturnTo } from '../../src/http/return-to.ts';
import { testPassword } from '../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, type TestApp } from '../support/http-app.ts';
import { anIdpUser, IdpBrowser, logInWithProvider, startTestIdp, withOAuthApp } from '../support/oauth.ts';

const origin = 'https://auth.example.com';

describe('return_to', () => {
  const refused = [
    '//evil.example',
    '//evil.example/account',
    'https://evil.example',
    'https://evil.example/account',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    'https://auth.example.com.evil.example/',
    'https://auth.example.com@evil.example/',
    'http://auth.example.com/account',
    'account',
    '',
  ];
  for (const value of refused) {
    it(`SEC-19: refuses ${JSON.stringify(value)}`, () => {
      assert.equal(safeReturnTo(value, origin, []), '/account');
    });
  }

  it('SEC-19: accepts same-origin paths, with query and fragment', () => {
    assert.equal(safeReturnTo('/settings?tab=security#x', origin, []), '/settings?tab=security#x');
    assert.equal(safeReturnTo('https://auth.example.com/account', origin, []), '/account');
  });

  it('SEC-19: accepts an allowlisted origin, and only that one', () => {
    assert.equal(safeReturnTo('https://app.example.com/dashboard', origin, ['https://app.example.com']), 'https://app.example.com/dashboard');
    assert.equal(safeReturnTo('https://app.example.com.evil.example/', origin, ['https://app.example.com']), '/account');
    assert.equal(safeReturnTo('//app.example.com/dashboard', origin, ['https://app.example.com']), '/account');
  });

  describe('through the login form', () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp();
      await signUpThroughApi(t.app, 'return@example.com', testPassword);
    });
    after(() => t.close());

    const submit = (returnTo: string) =>
      t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ email: 'return@example.com', password: testPassword, return_to: returnTo }).toString(),
      });

    it('SEC-19: redirects to a same-origin path', async () => {
      const response = await submit('/account?from=login');
      assert.equal(response.statusCode, 303);
      assert.equal(response.headers.location, '/account?from=login');
    });

    for (const value of ['//evil.example', 'https://evil.example', 'javascript:alert(1)']) {
      it(`SEC-19: ${value} lands on /account instead`, async () => {
        const response = await submit(value);
        assert.equal(response.statusCode, 303);
        assert.equal(response.headers.location, '/account');
      });
    }

    it('SEC-19: a hostile return_to never reaches the page as markup (SEC-99)', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/login?return_to=${encodeURIComponent('/x"><script>alert(1)</script>')}` });
      assert.equal(response.statusCode, 200);
      assert.doesNotMatch(response.body, /<script>alert/);
      assert.match(response.body, /name="return_to" value="\/x%22%3E%3Cscript%3E/);
    });

    it('pages escape what they echo back (the email after a failed login) (SEC-99)', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ email: '"><script>alert(1)</script>@example.com', password: 'wrong password here' }).toString(),
      });
      assert.equal(response.statusCode, 401);
      assert.doesNotMatch(response.body, /<script>alert/);
      assert.match(response.body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;@example.com"/);
    });
  });
});

// docs/security.md SEC-103 (issue 10, finding 2): return_to was checked for `//` on the raw input
// but returned after URL normalisation, so dot segments turned `/..//evil.com` into `//evil.com`.
describe('return_to with dot segments, backslashes and encodings (SEC-103)', () => {
  const payloads = [
    '/..//evil.com',
    '/..//evil.com/x?y=1#z',
    '/.//evil.com',
    '/%2e%2e//evil.com',
    '/%2E%2E//evil.com',
    '/.%2e//evil.com',
    '/%2e//evil.com',
    '/a/..//evil.com',
    '/a/b/../..//evil.com',
    '/..\\/evil.com',
    '/.\\\\evil.com',
    '/..%5c/evil.com',
    '/..%2f/evil.com',
    '/%2f%2fevil.com',
    '/..//..//evil.com',
    '/account/..//evil.com',
  ];
  const sameOrigin = (location: string): void => {
    assert.ok(location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'), `left the site: ${location}`);
    assert.equal(new URL(location, testOrigin).origin, testOrigin, location);
    assert.equal(new URL(location, 'https://auth.example.com').host, 'auth.example.com', location);
  };

  for (const value of payloads) {
    it(`safeReturnTo keeps ${JSON.stringify(value)} on this site (SEC-103)`, () => sameOrigin(safeReturnTo(value, origin, [])));
  }

  it('every page that takes return_to, logged in (redirect at once) and at the login form (SEC-103)', async () => {
    const t = await createTestApp();
    try {
      const session = await signUpThroughApi(t.app, 'dots@example.com', testPassword);
      const cookie = { '__Host-gatehouse_session': session };
      const form = { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' };
      for (const value of payloads) {
        for (const page of ['/login', '/signup', '/login/code']) {
          const response = await t.app.inject({ method: 'GET', url: `${page}?return_to=${encodeURIComponent(value)}`, cookies: cookie });
          assert.ok([302, 303].includes(response.statusCode), `${page} ${value}: ${response.statusCode}`);
          sameOrigin(String(response.headers.location));
        }
        const login = await t.app.inject({ method: 'POST', url: '/login', headers: form, payload: `email=dots%40example.com&password=${encodeURIComponent(testPassword)}&return_to=${encodeURIComponent(value)}` });
        assert.equal(login.statusCode, 303, login.body);
        sameOrigin(String(login.headers.location));
        const reauth = await t.app.inject({ method: 'POST', url: '/account/reauth', headers: form, cookies: cookie, payload: `password=${encodeURIComponent(testPassword)}&return_to=${encodeURIComponent(value)}` });
        assert.equal(reauth.statusCode, 303, reauth.body);
        sameOrigin(String(reauth.headers.location));
      }
    } finally {
      await t.close();
    }
  });

  it('the social login start, and the redirect after the callback, against the real demo IdP (SEC-103)', async () => {
    const user = anIdpUser();
    const idpWithUser = await startTestIdp([user]);
    try {
      await withOAuthApp(idpWithUser, async (t) => {
        const browser = new IdpBrowser(user);
        for (const value of payloads) {
          const back = await logInWithProvider(t.app, browser, { returnTo: value });
          assert.equal(back.statusCode, 303, back.body);
          sameOrigin(String(back.headers.location));
        }
      });
    } finally {
      await idpWithUser.close();
    }
  });
});
