import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { passkeyCeremonyCookieName } from '../../../src/http/passkey-cookies.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';
import type { User } from '../../../src/core/ports.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { seedSession, seedUser, testPassword } from '../../support/core-deps.ts';
import { registerSoftPasskey } from '../../support/passkeys.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

/** The pages that offer passkeys, and those that do not (docs/security.md SEC-184). */
describe('passkey pages', () => {
  let t: TestApp;
  let token: string;
  before(async () => {
    t = await createTestApp();
    token = await signUpThroughApi(t.app, 'pages-passkey@example.com', testPassword);
  });
  after(() => t.close());

  /** A new account signed up through the API, with one passkey registered as the account page does. */
  async function ownerWithPasskey(email: string, name?: string) {
    const ownerToken = await signUpThroughApi(t.app, email, testPassword);
    const owner = await validateSession(t.core, ownerToken);
    assert.ok(owner);
    const registered = await registerSoftPasskey(t.core, owner, createSoftAuthenticator({ origin: testOrigin }), name);
    return { ownerToken, owner, ...registered };
  }

  test("/login and /account/passkeys/new run our own two scripts under script-src 'self', nothing inline; the email field offers passkeys (SEC-184)", async () => {
    for (const [url, headers] of [['/login', {}], ['/account/passkeys/new', withSession(token)]] as const) {
      const response = await t.app.inject({ method: 'GET', url, headers });
      assert.equal(response.statusCode, 200, url);
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /; script-src 'self'$/);
      assert.equal(csp.replace("; script-src 'self'", ''), "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'", 'every other directive as strict as before');
      const scripts = [...response.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)];
      assert.deepEqual(scripts.map((m) => [m[1]?.trim(), m[2]]), [['src="/assets/simplewebauthn-browser.js"', ''], ['src="/assets/passkeys.js"', '']], url);
      assert.doesNotMatch(response.body, / on[a-z]+="/i, 'no inline handlers');
      assert.ok(response.cookies.some((c) => c.name === passkeyCeremonyCookieName), 'the options in the page come with their ceremony cookie');
    }
    assert.match((await t.app.inject({ method: 'GET', url: '/login' })).body, /autocomplete="username webauthn"/);
  });

  test('/account (with its Passkeys card), /signup and /account/two-factor have no script and no script-src (SEC-184)', async () => {
    for (const url of ['/account', '/signup', '/signup/passkey', '/account/two-factor']) {
      const response = await t.app.inject({ method: 'GET', url, headers: withSession(token) });
      if (response.statusCode === 302 || response.statusCode === 303) continue;
      assert.equal(response.statusCode, 200, url);
      assert.doesNotMatch(String(response.headers['content-security-policy']), /script-src/, url);
      assert.doesNotMatch(response.body, /<script/i, url);
    }
    const account = await t.app.inject({ method: 'GET', url: '/account', headers: withSession(token) });
    assert.match(account.body, /<h2 id="passkeys-title">Passkeys<\/h2>/);
  });

  test('the scripts are served from our origin with a JavaScript type and nosniff', async () => {
    for (const url of ['/assets/simplewebauthn-browser.js', '/assets/passkeys.js']) {
      const response = await t.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/javascript/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
    assert.match((await t.app.inject({ method: 'GET', url: '/assets/simplewebauthn-browser.js' })).body, /SimpleWebAuthnBrowser/);
  });

  test('the /account forms rename and remove a passkey; another account’s passkey is not found; the last way to log in stays (SEC-181)', async () => {
    const form = { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' };
    const { ownerToken, owner, passkeyId } = await ownerWithPasskey('pages-rename@example.com', 'Old name');

    const renamed = await t.app.inject({ method: 'POST', url: `/account/passkeys/${passkeyId}/rename`, headers: { ...form, ...withSession(ownerToken) }, payload: 'name=Work+laptop' });
    assert.equal(renamed.statusCode, 303, renamed.body);
    assert.equal(renamed.headers.location, '/account?done=passkey-renamed');
    assert.deepEqual((await t.core.store.passkeys.listByUser(owner.user.id)).map((p) => p.name), ['Work laptop']);
    assert.match((await t.app.inject({ method: 'GET', url: '/account', headers: withSession(ownerToken) })).body, /<td>Work laptop<\/td>/);

    // Someone else's session cannot touch it.
    for (const action of ['rename', 'remove']) {
      const other = await t.app.inject({ method: 'POST', url: `/account/passkeys/${passkeyId}/${action}`, headers: { ...form, ...withSession(token) }, payload: 'name=Mine' });
      assert.equal(other.statusCode, 404, `${action}: ${other.body}`);
    }
    assert.equal((await t.core.store.passkeys.listByUser(owner.user.id)).length, 1);

    // With a password it may go; on a passkey-only account the last one is refused, with the reason on the page.
    const removed = await t.app.inject({ method: 'POST', url: `/account/passkeys/${passkeyId}/remove`, headers: { ...form, ...withSession(ownerToken) } });
    assert.equal(removed.statusCode, 303, removed.body);
    assert.deepEqual(await t.core.store.passkeys.listByUser(owner.user.id), []);
    const nowMs = t.core.clock.nowMs();
    const passwordless: User = { id: 'passwordless-user-id', email: 'pages-passkey-only@example.com', passwordHash: null, createdAtMs: nowMs, updatedAtMs: nowMs, disabledAtMs: null };
    assert.equal(await t.core.store.users.create(passwordless), 'created');
    const started = await seedSession(t.core, passwordless.id);
    const { passkeyId: last } = await registerSoftPasskey(t.core, { user: passwordless, session: started.session }, createSoftAuthenticator({ origin: testOrigin }), 'Only');
    const refused = await t.app.inject({ method: 'POST', url: `/account/passkeys/${last}/remove`, headers: { ...form, ...withSession(started.token) } });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.match(refused.body, /the only way left to log in/);
    assert.equal((await t.core.store.passkeys.listByUser(passwordless.id)).length, 1);
  });

  test('the /account remove form of a stale session goes through /account/reauth and back, then removes the passkey (SEC-227)', async () => {
    const form = { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' };
    const { ownerToken, owner, passkeyId } = await ownerWithPasskey('pages-stale-remove@example.com', 'Kept');
    t.core.clock.advance(t.core.sessionPolicy.reauthWindowMs + 1);
    const pressed = await t.app.inject({ method: 'POST', url: `/account/passkeys/${passkeyId}/remove`, headers: { ...form, ...withSession(ownerToken) } });
    assert.equal(pressed.statusCode, 303, pressed.body);
    assert.equal(pressed.headers.location, '/account/reauth?return_to=%2Faccount');
    assert.equal((await t.core.store.passkeys.listByUser(owner.user.id)).length, 1, 'nothing removed');
    const confirmed = await t.app.inject({ method: 'POST', url: '/account/reauth', headers: { ...form, ...withSession(ownerToken) }, payload: `return_to=%2Faccount&password=${encodeURIComponent(testPassword)}` });
    assert.equal(confirmed.statusCode, 303, confirmed.body);
    assert.equal(confirmed.headers.location, '/account');
    const removed = await t.app.inject({ method: 'POST', url: `/account/passkeys/${passkeyId}/remove`, headers: { ...form, ...withSession(ownerToken) } });
    assert.equal(removed.statusCode, 303, removed.body);
    assert.equal(removed.headers.location, '/account?done=passkey-removed');
    assert.deepEqual(await t.core.store.passkeys.listByUser(owner.user.id), []);
  });

  test('a passkey sign-up makes no account before the passkey: the link alone logs nobody in (SEC-185)', async () => {
    const posted = await t.app.inject({ method: 'POST', url: '/signup/passkey', headers: { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=new-passkey%40example.com' });
    assert.equal(posted.statusCode, 303);
    assert.equal(await t.core.store.users.findByEmail('new-passkey@example.com'), null);
    const mail = t.core.outbox.sent.at(-1);
    assert.equal(mail?.kind, 'passkey_signup');
    const link = new URL(/https:\/\/auth\.test\/signup\/passkey\/finish\?token=[^\s"<]+/.exec(mail?.text ?? '')?.[0] ?? 'https://x');
    const opened = await t.app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
    assert.equal(opened.statusCode, 303);
    assert.equal(opened.headers.location, '/signup/passkey/finish', 'the token leaves the URL at once');
    assert.ok(!opened.cookies.some((c) => c.name === '__Host-gatehouse_session'));
    assert.equal(await t.core.store.users.findByEmail('new-passkey@example.com'), null);
    // An address with an account: the same answer, no link (its owner is told by mail, within the mail limits).
    const existing = await t.app.inject({ method: 'POST', url: '/signup/passkey', headers: { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=pages-passkey%40example.com' });
    assert.equal(existing.statusCode, 303);
    assert.equal(existing.headers.location, posted.headers.location);
    assert.ok(!t.core.outbox.sent.some((m) => m.to === 'pages-passkey@example.com' && m.kind === 'passkey_signup'));
    assert.ok((await t.core.store.audit.list({ limit: 50 })).some((e) => e.type === 'signup.existing_email' && e.detail === 'passkey sign-up'));
  });

  test('a posted answer naming a real passkey with a user handle that is not a string is refused like any bad answer, never a 500 (SEC-166)', async () => {
    const { ownerToken, owner, authenticator } = await ownerWithPasskey('pages-handle@example.com');
    const credentialId = authenticator.credentials[0]?.id ?? assert.fail('a credential');
    for (const userHandle of [5, true, 0]) {
      const login = await t.app.inject({ method: 'GET', url: '/login' });
      const ceremony = login.cookies.find((c) => c.name === passkeyCeremonyCookieName)?.value ?? assert.fail('a ceremony');
      const answer = { id: credentialId, rawId: credentialId, type: 'public-key', response: { userHandle, clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' }, clientExtensionResults: {} };
      const posted = await t.app.inject({
        method: 'POST',
        url: '/login/passkey',
        headers: { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        cookies: { [passkeyCeremonyCookieName]: ceremony },
        payload: `return_to=%2Faccount&response=${encodeURIComponent(JSON.stringify(answer))}`,
      });
      assert.equal(posted.statusCode, 303, `${String(userHandle)}: ${posted.body}`);
      assert.equal(posted.headers.location, '/login?done=passkey-failed&return_to=%2Faccount');
      assert.ok(!posted.cookies.some((c) => c.name === '__Host-gatehouse_session' && c.value !== ''));
    }
    const refusals = (await t.core.store.audit.list({ limit: 20, userId: owner.user.id })).filter((e) => e.type === 'passkey.failed');
    assert.equal(refusals.length, 3, 'each refusal is audited (SEC-179)');
  });
});

describe('the /login passkey button under requireVerifiedEmail (docs/security.md SEC-228)', () => {
  test('an unverified account’s passkey gets no session: back to /login, which says to open the mailed link (SEC-228)', async () => {
    const t = await createTestApp({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    try {
      const user = await seedUser(t.core, 'pages-unverified@example.com');
      const { session } = await seedSession(t.core, user.id);
      const { authenticator } = await registerSoftPasskey(t.core, { user, session }, createSoftAuthenticator({ origin: testOrigin }));
      const page = await t.app.inject({ method: 'GET', url: '/login' });
      const ceremony = page.cookies.find((c) => c.name === passkeyCeremonyCookieName && c.value !== '')?.value ?? assert.fail('a ceremony cookie');
      const raw = /data-options="([^"]+)"/.exec(page.body)?.[1] ?? assert.fail('a passkey form');
      const options = JSON.parse(raw.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&'));
      const posted = await t.app.inject({
        method: 'POST',
        url: '/login/passkey',
        headers: { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded' },
        cookies: { [passkeyCeremonyCookieName]: ceremony },
        payload: new URLSearchParams({ return_to: '/account', response: JSON.stringify(authenticator.assert(options)) }).toString(),
      });
      assert.equal(posted.statusCode, 303, posted.body);
      assert.equal(posted.headers.location, '/login?done=passkey-unverified&return_to=%2Faccount');
      assert.ok(!posted.cookies.some((c) => c.name === '__Host-gatehouse_session' && c.value !== ''), 'no session');
      const told = await t.app.inject({ method: 'GET', url: String(posted.headers.location) });
      assert.match(told.body, /Your email address is not confirmed yet\. Open the link we mailed you/);
    } finally {
      await t.close();
    }
  });
});

