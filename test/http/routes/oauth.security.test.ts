import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { connectProvider, ProviderSetupError } from '../../../src/core/oauth-client/connect-provider.ts';
import type { DemoIdp } from '../../../src/dev/demo-idp.ts';
import { signUpThroughApi, withSession } from '../../support/http-app.ts';
import {
  anIdpUser,
  assertRefused,
  callback,
  createFetchHook,
  withOAuthApp,
  demoProviderConfig,
  IdpBrowser,
  logInWithProvider,
  sessionFrom,
  startLogin,
  startTestIdp,
  type OAuthApp,
  type OAuthAppOptions,
} from '../../support/oauth.ts';

/**
 * docs/security.md "OAuth / OIDC client" (SEC-35 to SEC-40), one block per case. Every case drives the real
 * OpenID provider (oidc-provider on loopback) or tampers with what reaches Gatehouse: the
 * callback URL, the authorization URL before the provider sees it, or the token endpoint's
 * answer (through openid-client's custom fetch). ID tokens are forged with the provider's own
 * signing key where the point is a claim check, not the signature.
 */

const user = anIdpUser();
const twin = anIdpUser({ email: user.email });
const owner = anIdpUser({ email: 'owner@example.com' });
const unverified = anIdpUser({ email: 'owner@example.com', emailVerified: false });
const unverifiedNewcomer = anIdpUser({ emailVerified: false });
let idp: DemoIdp;

before(async () => {
  idp = await startTestIdp([user, twin, owner, unverified, unverifiedNewcomer]);
});
after(() => idp.close());

const withApp = (body: (t: OAuthApp) => Promise<void>, options: OAuthAppOptions = {}): Promise<void> => withOAuthApp(idp, body, options);

/** Runs the provider part of a login and returns the flow cookie and the callback URL, untouched. */
async function authorize(t: OAuthApp, who = user, tamper?: (url: URL) => void): Promise<{ flow: string; back: URL }> {
  const started = await startLogin(t.app);
  tamper?.(started.authorizationUrl);
  return { flow: started.flowCookie, back: await new IdpBrowser(who).authorize(started.authorizationUrl) };
}

async function noUsers(t: OAuthApp): Promise<void> {
  assert.deepEqual(await t.core.store.users.list({ limit: 10 }), []);
}

/**
 * Makes the token endpoint's answer carry a different ID token: `rewrite` gets the real one's
 * header and claims and returns the compact JWT to send instead.
 */
function rewriteIdToken(t: OAuthApp, rewrite: (real: string, claims: JWTPayload) => Promise<string>): void {
  t.hook.intercept = async (url, init, real) => {
    const response = await real(url, init);
    if (!url.pathname.endsWith('/token')) return response;
    const body = (await response.json()) as Record<string, unknown>;
    const idToken = String(body.id_token);
    body.id_token = await rewrite(idToken, decodeJwt(idToken));
    return new Response(JSON.stringify(body), { status: response.status, headers: { 'content-type': 'application/json' } });
  };
}

/** Signs `claims` with the provider's real key (same kid), so only the claim checks can refuse it. */
async function signWithProviderKey(claims: JWTPayload): Promise<string> {
  const key = await importJWK(idp.signingKey, 'RS256');
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: String(idp.signingKey.kid) }).sign(key);
}

describe('SEC-35: state missing, wrong, expired or replayed -> no login', () => {
  it('state missing from the callback', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t);
      back.searchParams.delete('state');
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('state wrong (one character changed)', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t);
      const state = back.searchParams.get('state') ?? '';
      back.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('state expired: the flow record is past its 10 minutes (injected clock)', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t);
      t.core.clock.advance(10 * 60 * 1000 + 1);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_flow_invalid');
      await noUsers(t);
    }));

  it('state replayed: the same callback a second time, after a successful login', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t);
      const first = await callback(t.app, back, { flow });
      assert.equal(first.statusCode, 303);
      const replay = await callback(t.app, back, { flow });
      assertRefused(replay, 'oauth_flow_invalid');
      assert.equal((await t.core.store.users.list({ limit: 10 })).length, 1);
    }));

  it("a callback without the browser's flow cookie (login CSRF: the attacker's code and state sent to a victim) (SEC-63)", () =>
    withApp(async (t) => {
      const { back } = await authorize(t);
      assertRefused(await callback(t.app, back), 'oauth_flow_invalid');
      await noUsers(t);
    }));

  it("a callback with another flow's cookie: the state is bound to the cookie that started it (SEC-63)", () =>
    withApp(async (t) => {
      const attacker = await authorize(t);
      const victim = await startLogin(t.app);
      assertRefused(await callback(t.app, attacker.back, { flow: victim.flowCookie }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('a forged flow cookie (not one the server issued) (SEC-63)', () =>
    withApp(async (t) => {
      const { back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow: 'A'.repeat(43) }), 'oauth_flow_invalid');
      assertRefused(await callback(t.app, back, { flow: "' OR 1=1--" }), 'oauth_flow_invalid');
    }));

  it('the flow cookie is __Host-, HttpOnly, Secure, SameSite=Lax, Path=/ and expires with the flow (SEC-63)', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app);
      const cookie = started.response.cookies.find((c) => c.name === '__Host-gatehouse_oauth');
      assert.deepEqual([cookie?.secure, cookie?.httpOnly, cookie?.sameSite, cookie?.path, cookie?.domain], [true, true, 'Lax', '/', undefined]);
      assert.equal(cookie?.expires?.getTime(), Math.floor((t.core.clock.nowMs() + 10 * 60 * 1000) / 1000) * 1000);
      assert.ok(started.authorizationUrl.searchParams.get('state')?.length === 43);
    }));
});

describe('SEC-36: nonce missing or wrong in the ID token -> no login', () => {
  it('nonce missing: removed from the authorization request, so the provider puts none in the ID token', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t, user, (url) => url.searchParams.delete('nonce'));
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('nonce wrong: replaced in the authorization request, so the provider signs another nonce', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t, user, (url) => url.searchParams.set('nonce', 'an-attacker-chosen-nonce'));
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it("nonce wrong in an ID token signed with the provider's real key", () =>
    withApp(async (t) => {
      rewriteIdToken(t, (_real, claims) => signWithProviderKey({ ...claims, nonce: 'replayed-from-another-login' }));
      const { flow, back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('an authorization request always carries a fresh nonce', () =>
    withApp(async (t) => {
      const a = (await startLogin(t.app)).authorizationUrl.searchParams.get('nonce');
      const b = (await startLogin(t.app)).authorizationUrl.searchParams.get('nonce');
      assert.ok(a !== null && b !== null && a.length === 43 && a !== b);
    }));
});

describe("SEC-37: ID token with wrong iss, aud lacking our client id, bad signature, alg none -> no login", () => {
  it("wrong iss, signed with the provider's real key", () =>
    withApp(async (t) => {
      rewriteIdToken(t, (_real, claims) => signWithProviderKey({ ...claims, iss: 'https://evil.example' }));
      const { flow, back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it("aud lacking our client id, signed with the provider's real key", () =>
    withApp(async (t) => {
      rewriteIdToken(t, (_real, claims) => signWithProviderKey({ ...claims, aud: 'another-client' }));
      const { flow, back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it("aud an array that does not hold our client id", () =>
    withApp(async (t) => {
      rewriteIdToken(t, (_real, claims) => signWithProviderKey({ ...claims, aud: ['another-client', 'a-third'], azp: 'another-client' }));
      const { flow, back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('bad signature: one byte of the real ID token signature flipped', () =>
    withApp(async (t) => {
      rewriteIdToken(t, async (real) => {
        const [header, payload, signature] = real.split('.') as [string, string, string];
        const bytes = Buffer.from(signature, 'base64url');
        bytes[0] = (bytes[0] as number) ^ 0xff;
        return `${header}.${payload}.${bytes.toString('base64url')}`;
      });
      const { flow, back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it("signed by another key under the provider's kid", () =>
    withApp(async (t) => {
      const { privateKey } = await generateKeyPair('RS256');
      rewriteIdToken(t, (_real, claims) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: String(idp.signingKey.kid) }).sign(privateKey));
      const { flow, back } = await authorize(t);
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('alg none (and None, NONE), with the real claims and no signature', () =>
    withApp(async (t) => {
      for (const alg of ['none', 'None', 'NONE']) {
        rewriteIdToken(t, async (real) => {
          assert.equal(decodeProtectedHeader(real).alg, 'RS256');
          const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url');
          return `${header}.${real.split('.')[1]}.`;
        });
        const { flow, back } = await authorize(t);
        assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      }
      await noUsers(t);
    }));
});

describe('SEC-38: issuer mix-up (RFC 9207) -> no login', () => {
  it('iss in the authorization response differs from the configured issuer', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t);
      assert.equal(back.searchParams.get('iss'), idp.issuer, 'the provider sends iss (RFC 9207)');
      back.searchParams.set('iss', 'https://attacker-idp.example');
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('iss missing from the authorization response of a provider whose discovery says it sends it', () =>
    withApp(async (t) => {
      const { flow, back } = await authorize(t);
      back.searchParams.delete('iss');
      assertRefused(await callback(t.app, back, { flow }), 'oauth_response_invalid');
      await noUsers(t);
    }));

  it('discovery whose issuer differs from the configured one: the provider is refused at start-up', async () => {
    const { hook, fetch } = createFetchHook();
    hook.intercept = async (url, init, real) => {
      const response = await real(url, init);
      const doc = (await response.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...doc, issuer: 'https://attacker-idp.example' }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    await assert.rejects(connectProvider(demoProviderConfig(idp), { plainHttp: 'allow-loopback', fetch }), (error: unknown) => {
      assert.ok(error instanceof ProviderSetupError);
      assert.match(error.message, /OAuth provider "demo": OpenID Connect discovery at http:\/\/127\.0\.0\.1:\d+ failed/);
      return true;
    });
  });

  it("a callback arriving at another provider's callback path is refused (the flow records its provider) (SEC-64)", () =>
    withApp(
      async (t) => {
        const started = await startLogin(t.app, '/account', 'demo');
        const back = await new IdpBrowser(user).authorize(started.authorizationUrl);
        const other = new URL(back.href.replace('/v1/oauth/demo/callback', '/v1/oauth/other/callback'));
        assertRefused(await callback(t.app, other, { flow: started.flowCookie }), 'oauth_flow_invalid');
        await noUsers(t);
      },
      { providers: [demoProviderConfig(idp), demoProviderConfig(idp, { id: 'other', displayName: 'Other' })] },
    ));

  it('plain http issuers are refused unless loopback in dev mode or tests (SEC-65)', async () => {
    await assert.rejects(connectProvider(demoProviderConfig(idp), { plainHttp: 'https-only' }), /must be https:\/\//);
    await assert.rejects(connectProvider(demoProviderConfig({ issuer: 'http://idp.example.com' }), { plainHttp: 'allow-loopback' }), /must be https:\/\//);
  });
});

describe('SEC-39: PKCE S256 always; the verifier never leaves the server', () => {
  it('the authorization request has an S256 challenge; the verifier goes only to the token endpoint and matches it', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app);
      const challenge = started.authorizationUrl.searchParams.get('code_challenge');
      assert.equal(started.authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(challenge !== null && challenge.length === 43);
      assert.equal(started.authorizationUrl.searchParams.get('code_verifier'), null);
      const back = await new IdpBrowser(user).authorize(started.authorizationUrl);
      assert.equal((await callback(t.app, back, { flow: started.flowCookie })).statusCode, 303);

      const tokenRequests = t.hook.sent.filter((r) => r.url.pathname.endsWith('/token'));
      assert.equal(tokenRequests.length, 1);
      const verifier = new URLSearchParams(tokenRequests[0]?.body).get('code_verifier') ?? '';
      assert.equal(createHash('sha256').update(verifier).digest('base64url'), challenge);
      // Nowhere the browser can see: not the redirect, not the cookie, not the callback's answer.
      const visible = [started.response.headers.location, JSON.stringify(started.response.headers['set-cookie']), started.flowCookie, back.href];
      for (const text of visible) assert.ok(!String(text).includes(verifier));
      const otherRequests = t.hook.sent.filter((r) => !r.url.pathname.endsWith('/token'));
      for (const r of otherRequests) assert.ok(!r.url.href.includes(verifier) && !r.body.includes(verifier));
    }));

  it('the flow record holds no verifier, state or nonce: only the hash of the cookie', () =>
    withApp(async (t) => {
      const started = await startLogin(t.app);
      const flow = await t.core.store.oauthFlows.take(new Uint8Array(createHash('sha256').update(started.flowCookie).digest()));
      assert.ok(flow !== null);
      assert.deepEqual(Object.keys(flow).sort(), ['createdAtMs', 'expiresAtMs', 'idHash', 'provider', 'purpose', 'returnTo', 'userId']);
    }));

  it("a stolen code redeemed in the attacker's own flow fails at the provider: the verifier does not match", () =>
    withApp(async (t) => {
      const victim = await authorize(t);
      const attacker = await startLogin(t.app);
      const injected = new URL(victim.back);
      injected.searchParams.set('state', attacker.authorizationUrl.searchParams.get('state') ?? '');
      const response = await callback(t.app, injected, { flow: attacker.flowCookie });
      assertRefused(response, 'oauth_response_invalid');
      const token = t.hook.sent.find((r) => r.url.pathname.endsWith('/token'));
      assert.ok(token !== undefined, 'the token endpoint was asked, and refused the verifier');
      await noUsers(t);
    }));
});

describe('SEC-40: an IdP email matching a local account is not logged in automatically; identities keyed on (issuer, subject)', () => {
  async function seedOwner(t: OAuthApp): Promise<string> {
    await signUpThroughApi(t.app, 'owner@example.com', 'correct horse battery staple', { origin: 'https://auth.test' });
    const owner = await t.core.store.users.findByEmail('owner@example.com');
    return owner?.id ?? assert.fail('the owner account exists');
  }

  it('linking disabled (the default): a verified matching email is refused with "log in and link", nothing is linked', () =>
    withApp(async (t) => {
      const ownerId = await seedOwner(t);
      const response = await logInWithProvider(t.app, new IdpBrowser(owner));
      assert.equal(response.statusCode, 409);
      assertRefused(response, 'oauth_account_exists');
      assert.match(response.body, /Log in with your password/);
      assert.deepEqual(await t.core.store.oauthIdentities.listByUser(ownerId), []);
    }));

  it('linking enabled but the provider does not assert the email verified: refused, nothing linked', () =>
    withApp(
      async (t) => {
        const ownerId = await seedOwner(t);
        assertRefused(await logInWithProvider(t.app, new IdpBrowser(unverified)), 'oauth_email_unverified');
        assert.deepEqual(await t.core.store.oauthIdentities.listByUser(ownerId), []);
      },
      { linkByEmail: 'verified-email' },
    ));

  it('linking enabled and the email asserted verified: linked to the existing account and logged in to it', () =>
    withApp(
      async (t) => {
        const ownerId = await seedOwner(t);
        const response = await logInWithProvider(t.app, new IdpBrowser(owner));
        const token = sessionFrom(response);
        assert.ok(token !== undefined, response.body);
        assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(token) })).json().user.id, ownerId);
        const [identity] = await t.core.store.oauthIdentities.listByUser(ownerId);
        assert.deepEqual([identity?.issuer, identity?.subject], [idp.issuer, owner.sub]);
      },
      { linkByEmail: 'verified-email' },
    ));

  it('a new account needs a verified email: an unverified one creates nothing', () =>
    withApp(async (t) => {
      assertRefused(await logInWithProvider(t.app, new IdpBrowser(unverifiedNewcomer)), 'oauth_email_unverified');
      await noUsers(t);
    }));

  it('two provider accounts with one email are two identities: the second never logs in to the first one\'s user', () =>
    withApp(async (t) => {
      const first = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(user)));
      assert.ok(first !== undefined);
      const second = await logInWithProvider(t.app, new IdpBrowser(twin));
      assertRefused(second, 'oauth_account_exists');
      assert.equal((await t.core.store.users.list({ limit: 10 })).length, 1);
    }));

  it('the identity is found by (issuer, subject), whatever email the provider sends later', () =>
    withApp(async (t) => {
      const first = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(user)));
      const userId = (await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(first ?? '') })).json().user.id;
      rewriteIdToken(t, (_real, claims) => signWithProviderKey({ ...claims, email: 'changed@elsewhere.example' }));
      const again = sessionFrom(await logInWithProvider(t.app, new IdpBrowser(user)));
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/session', headers: withSession(again ?? '') })).json().user.id, userId);
    }));
});
