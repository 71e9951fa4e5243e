import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { sessionCookieName } from '../../../src/http/session-cookie.ts';
import { signUpThroughApi, testOrigin } from '../../support/http-app.ts';
import { anIdpUser, assertRefused, callback, withOAuthApp, IdpBrowser, logInWithProvider, sessionFrom, startTestIdp, type OAuthApp } from '../../support/oauth.ts';

/**
 * The pages side of social login: "Continue with …" on /login and /signup, and on /account the
 * linked identities with link and unlink, against the real provider on loopback.
 */

const linker = anIdpUser({ email: 'someone-else@idp.example.com' });
const taken = anIdpUser();
const solo = anIdpUser();
const twoWays = anIdpUser();
const leaver = anIdpUser();
const staleUnlink = anIdpUser();
let idp: DemoIdp;

before(async () => {
  idp = await startTestIdp([linker, taken, solo, twoWays, leaver, staleUnlink]);
});
after(() => idp.close());

const withApp = (body: (t: OAuthApp) => Promise<void>): Promise<void> => withOAuthApp(idp, body);

const form = { origin: testOrigin, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
const cookies = (token: string) => ({ [sessionCookieName]: token });

/** A password account, logged in (sign-up itself never logs in; the test core lets an unverified account log in). */
function signUpWithPassword(t: OAuthApp, email: string): Promise<string> {
  return signUpThroughApi(t.app, email, 'correct horse battery staple', { origin: testOrigin });
}

async function identitiesOf(t: OAuthApp, token: string): Promise<Array<Record<string, string>>> {
  return (await t.app.inject({ method: 'GET', url: '/v1/me/identities', cookies: cookies(token) })).json().identities;
}

/** Presses "Link <provider>" on /account, goes through the provider, and returns the callback's answer. */
async function link(t: OAuthApp, token: string, who = linker) {
  const pressed = await t.app.inject({ method: 'POST', url: '/account/identities/link/demo', headers: form, cookies: cookies(token), payload: '' });
  assert.equal(pressed.statusCode, 303, pressed.body);
  const flow = pressed.cookies.find((c) => c.name === '__Host-gatehouse_oauth')?.value ?? '';
  const back = await new IdpBrowser(who).authorize(new URL(String(pressed.headers.location)));
  return callback(t.app, back, { flow, session: token });
}

describe('login and signup pages', () => {
  it('show "Continue with Demo IdP", starting a login that returns to the same return_to', () =>
    withApp(async (t) => {
      for (const path of ['/login', '/signup']) {
        const page = await t.app.inject({ method: 'GET', url: `${path}?return_to=%2Faccount%3Fx%3D1` });
        assert.equal(page.statusCode, 200);
        assert.match(page.body, /<a class="button secondary provider" href="\/v1\/oauth\/demo\/start\?return_to=%2Faccount%3Fx%3D1">Continue with Demo IdP<\/a>/);
      }
    }));
});

describe('linked identities on /account', () => {
  it('a password user links the provider from /account, sees it listed, then logs in with it to the same account', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'pat@example.com');
      const page = await t.app.inject({ method: 'GET', url: '/account', cookies: cookies(token) });
      assert.match(page.body, /No provider is linked yet/);
      assert.match(page.body, /action="\/account\/identities\/link\/demo"/);
      assert.ok(String(page.headers['content-security-policy']).includes(`form-action 'self' ${idp.issuer};`));

      const linked = await link(t, token);
      assert.equal(linked.statusCode, 303, linked.body);
      assert.equal(linked.headers.location, '/account?done=identity-linked');
      assert.equal(sessionFrom(linked), undefined, 'linking keeps the current session');
      const after = await t.app.inject({ method: 'GET', url: '/account?done=identity-linked', cookies: cookies(token) });
      assert.match(after.body, /The provider is linked/);
      assert.match(after.body, /<td>Demo IdP <span class="badge">linked<\/span><\/td>\s*<td data-label="Email there">someone-else@idp\.example\.com<\/td>/);
      assert.doesNotMatch(after.body, />Link Demo IdP</, 'a linked provider is shown as linked, not offered again');

      const viaProvider = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(linker)));
      const me = await t.app.inject({ method: 'GET', url: '/v1/session', cookies: cookies(viaProvider ?? '') });
      assert.equal(me.json().user.email, 'pat@example.com');
    }));

  // docs/security.md SEC-100: a stolen session cookie alone cannot link the thief's provider account.
  it('linking needs a recent re-authentication: a stale session is sent to /account/reauth and starts no flow (SEC-100)', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'stale@example.com');
      t.core.clock.advance(5 * 60 * 1000 + 1);
      const pressed = await t.app.inject({ method: 'POST', url: '/account/identities/link/demo', headers: form, cookies: cookies(token), payload: '' });
      assert.equal(pressed.statusCode, 303);
      assert.equal(pressed.headers.location, '/account/reauth?return_to=%2Faccount');
      assert.equal(pressed.cookies.find((c) => c.name === '__Host-gatehouse_oauth'), undefined, 'no flow started');

      const reauthPage = await t.app.inject({ method: 'GET', url: '/account/reauth?return_to=%2Faccount', cookies: cookies(token) });
      assert.equal(reauthPage.statusCode, 200);
      assert.match(reauthPage.body, /name="password"/);
      const wrong = await t.app.inject({ method: 'POST', url: '/account/reauth', headers: form, cookies: cookies(token), payload: 'return_to=%2Faccount&password=not+the+password+at+all' });
      assert.equal(wrong.statusCode, 403);
      const confirmed = await t.app.inject({ method: 'POST', url: '/account/reauth', headers: form, cookies: cookies(token), payload: 'return_to=%2Faccount&password=correct+horse+battery+staple' });
      assert.equal(confirmed.statusCode, 303, confirmed.body);
      assert.equal(confirmed.headers.location, '/account');

      const linked = await link(t, token);
      assert.equal(linked.statusCode, 303, linked.body);
      assert.equal(linked.headers.location, '/account?done=identity-linked');
      assert.equal((await identitiesOf(t, token)).length, 1);
    }));

  it('the re-authentication form returns only to paths of this site', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'returns@example.com');
      for (const evil of ['https://evil.example/x', '//evil.example/x', '/..//evil.example/x']) {
        const done = await t.app.inject({ method: 'POST', url: '/account/reauth', headers: form, cookies: cookies(token), payload: `return_to=${encodeURIComponent(evil)}&password=correct+horse+battery+staple` });
        assert.equal(done.statusCode, 303);
        assert.ok(String(done.headers.location).startsWith('/') && !String(done.headers.location).startsWith('//'), String(done.headers.location));
      }
    }));

  it('an identity already linked to another account cannot be linked again (SEC-66)', () =>
    withApp(async (t) => {
      await logInWithProvider(t.app, new IdpBrowser(taken));
      const token = await signUpWithPassword(t, 'quinn@example.com');
      assertRefused(await link(t, token, taken), 'oauth_identity_taken');
      assert.deepEqual(await identitiesOf(t, token), []);
    }));

  it('a link callback completes only in the session of the user who started it (SEC-66)', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'rae@example.com');
      const pressed = await t.app.inject({ method: 'POST', url: '/account/identities/link/demo', headers: form, cookies: cookies(token), payload: '' });
      const flow = pressed.cookies.find((c) => c.name === '__Host-gatehouse_oauth')?.value ?? '';
      const back = await new IdpBrowser(linker).authorize(new URL(String(pressed.headers.location)));
      const other = await signUpWithPassword(t, 'sam@example.com');
      assertRefused(await callback(t.app, back, { flow, session: other }), 'oauth_flow_invalid');
      assert.deepEqual(await identitiesOf(t, other), []);
      assert.deepEqual(await identitiesOf(t, token), []);
    }));

  it('linking needs a signed-in user and a same-origin POST (SEC-66)', () =>
    withApp(async (t) => {
      const anonymous = await t.app.inject({ method: 'POST', url: '/account/identities/link/demo', headers: form, payload: '' });
      assert.equal(anonymous.statusCode, 303);
      assert.equal(anonymous.headers.location, '/login?return_to=%2Faccount');
      const token = await signUpWithPassword(t, 'tess@example.com');
      const crossSite = await t.app.inject({ method: 'POST', url: '/account/identities/link/demo', headers: { ...form, origin: 'https://evil.example' }, cookies: cookies(token), payload: '' });
      assert.equal(crossSite.statusCode, 403);
      assert.equal(crossSite.cookies.find((c) => c.name === '__Host-gatehouse_oauth'), undefined);
    }));

  it('an account made by social login cannot unlink its only way in; the page says so and both the API and the form refuse (SEC-67)', () =>
    withApp(async (t) => {
      const token = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(solo))) ?? '';
      const page = await t.app.inject({ method: 'GET', url: '/account', cookies: cookies(token) });
      assert.match(page.body, /Your only way to log in/);
      const [identity] = await identitiesOf(t, token);
      assert.ok(identity !== undefined);
      const refused = await t.app.inject({ method: 'DELETE', url: `/v1/me/identities/${identity.id}`, headers: { origin: testOrigin }, cookies: cookies(token) });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().code, 'oauth_last_login_method');
      const viaForm = await t.app.inject({ method: 'POST', url: `/account/identities/${identity.id}/unlink`, headers: form, cookies: cookies(token), payload: '' });
      assert.equal(viaForm.statusCode, 409);
      assert.match(viaForm.body, /only way left to log in/);
      assert.equal((await identitiesOf(t, token)).length, 1);
    }));

  it('a user with a password unlinks an identity; it no longer logs in to the account', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'uma@example.com');
      await link(t, token, twoWays);
      const listed = await identitiesOf(t, token);
      assert.equal(listed.length, 1);
      assert.deepEqual(Object.keys(listed[0] ?? {}).sort(), ['createdAt', 'email', 'id', 'lastLoginAt', 'provider']);
      const unlinked = await t.app.inject({ method: 'POST', url: `/account/identities/${listed[0]?.id}/unlink`, headers: form, cookies: cookies(token), payload: '' });
      assert.equal(unlinked.statusCode, 303);
      assert.equal(unlinked.headers.location, '/account?done=identity-unlinked');
      assert.deepEqual(await identitiesOf(t, token), []);
      // The provider account is a stranger now: its login makes a new account, not a way into uma's.
      const again = await logInWithProvider(t.app, new IdpBrowser(twoWays));
      const me = await t.app.inject({ method: 'GET', url: '/v1/session', cookies: cookies(sessionFrom(again) ?? '') });
      assert.equal(me.statusCode, 200);
      assert.notEqual(me.json().user.email, 'uma@example.com');
    }));

  // docs/security.md SEC-227: a stolen session cookie alone cannot cut the owner's provider login off.
  it('unlinking needs a recent re-authentication: a stale session gets 403 reauthentication_required from the API and is sent to /account/reauth by the form, then comes back and unlinks (SEC-227)', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'stale-unlink@example.com');
      await link(t, token, staleUnlink);
      const [identity] = await identitiesOf(t, token);
      assert.ok(identity !== undefined);
      t.core.clock.advance(5 * 60 * 1000 + 1);
      const refused = await t.app.inject({ method: 'DELETE', url: `/v1/me/identities/${identity.id}`, headers: { origin: testOrigin }, cookies: cookies(token) });
      assert.equal(refused.statusCode, 403, refused.body);
      assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
      assert.equal(refused.json().code, 'reauthentication_required');
      const pressed = await t.app.inject({ method: 'POST', url: `/account/identities/${identity.id}/unlink`, headers: form, cookies: cookies(token), payload: '' });
      assert.equal(pressed.statusCode, 303, pressed.body);
      assert.equal(pressed.headers.location, '/account/reauth?return_to=%2Faccount');
      assert.equal((await identitiesOf(t, token)).length, 1, 'nothing unlinked');

      const confirmed = await t.app.inject({ method: 'POST', url: '/account/reauth', headers: form, cookies: cookies(token), payload: 'return_to=%2Faccount&password=correct+horse+battery+staple' });
      assert.equal(confirmed.statusCode, 303, confirmed.body);
      assert.equal(confirmed.headers.location, '/account');
      const unlinked = await t.app.inject({ method: 'POST', url: `/account/identities/${identity.id}/unlink`, headers: form, cookies: cookies(token), payload: '' });
      assert.equal(unlinked.statusCode, 303, unlinked.body);
      assert.equal(unlinked.headers.location, '/account?done=identity-unlinked');
      assert.deepEqual(await identitiesOf(t, token), []);
    }));

  it('the JSON API takes the password sent along instead of a recent re-authentication (SEC-227)', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'proof-unlink@example.com');
      await link(t, token, staleUnlink);
      const [identity] = await identitiesOf(t, token);
      t.core.clock.advance(5 * 60 * 1000 + 1);
      const wrong = await t.app.inject({ method: 'DELETE', url: `/v1/me/identities/${identity?.id}`, headers: { origin: testOrigin, 'content-type': 'application/json' }, cookies: cookies(token), payload: { password: 'not the password at all' } });
      assert.equal(wrong.json().code, 'wrong_password', wrong.body);
      assert.equal((await identitiesOf(t, token)).length, 1);
      const unlinked = await t.app.inject({ method: 'DELETE', url: `/v1/me/identities/${identity?.id}`, headers: { origin: testOrigin, 'content-type': 'application/json' }, cookies: cookies(token), payload: { password: 'correct horse battery staple' } });
      assert.equal(unlinked.statusCode, 204, unlinked.body);
      assert.deepEqual(await identitiesOf(t, token), []);
    }));

  it("another user's identity id is not found, and nothing is unlinked (SEC-67)", () =>
    withApp(async (t) => {
      const owner = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(solo))) ?? '';
      const [identity] = await identitiesOf(t, owner);
      const other = await signUpWithPassword(t, 'vic@example.com');
      const response = await t.app.inject({ method: 'DELETE', url: `/v1/me/identities/${identity?.id}`, headers: { origin: testOrigin }, cookies: cookies(other) });
      assert.equal(response.statusCode, 404);
      assert.equal(response.json().code, 'identity_not_found');
      assert.equal((await identitiesOf(t, owner)).length, 1);
    }));
});

describe('deleting an account that has no password', () => {
  it('needs a login or re-authentication from the last five minutes instead of a password; an older session is sent to confirm first (SEC-68, SEC-100)', () =>
    withApp(async (t) => {
      const old = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(leaver))) ?? '';
      t.core.clock.advance(5 * 60 * 1000 + 1);
      const page = await t.app.inject({ method: 'GET', url: '/account', cookies: cookies(old) });
      assert.match(page.body, /This account has no password/);
      assert.doesNotMatch(page.body, /action="\/account\/password"/);
      assert.match(page.body, /href="\/v1\/oauth\/demo\/start\?return_to=%2Faccount">Log in again with Demo IdP/);
      assert.match(page.body, /href="\/account\/reauth\?return_to=%2Faccount">Confirm with an emailed code/);
      const refused = await t.app.inject({ method: 'POST', url: '/account/delete', headers: form, cookies: cookies(old), payload: '' });
      assert.equal(refused.statusCode, 303);
      assert.equal(refused.headers.location, '/account/reauth?return_to=%2Faccount');
      assert.equal((await t.core.store.users.list({ limit: 5 })).length, 1);

      const fresh = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(leaver))) ?? '';
      assert.match((await t.app.inject({ method: 'GET', url: '/account', cookies: cookies(fresh) })).body, /<form method="post" action="\/account\/delete"><button class="danger"/);
      const deleted = await t.app.inject({ method: 'POST', url: '/account/delete', headers: form, cookies: cookies(fresh), payload: '' });
      assert.equal(deleted.statusCode, 303, deleted.body);
      assert.deepEqual(await t.core.store.users.list({ limit: 5 }), []);
      assert.equal(await t.core.store.oauthIdentities.findBySubject(idp.issuer, leaver.sub), null, 'the identity goes with the account');
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', cookies: cookies(fresh) })).statusCode, 401);
    }));

  it('a password user still needs the password (an empty one is refused) (SEC-68)', () =>
    withApp(async (t) => {
      const token = await signUpWithPassword(t, 'keeps@example.com');
      const refused = await t.app.inject({ method: 'POST', url: '/account/delete', headers: form, cookies: cookies(token), payload: '' });
      assert.equal(refused.statusCode, 403);
      assert.equal((await t.core.store.users.list({ limit: 5 })).length, 1);
    }));
});
