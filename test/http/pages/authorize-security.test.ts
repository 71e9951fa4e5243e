// Security cases of the OpenID Provider's authorization endpoint and code grant (docs/security.md
// SEC-200..207), through app.inject on a manual clock.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../support/http-app.ts';

const cb = 'https://rp.example.com/cb';
const verifier = 'a'.repeat(43);
const challenge = createHash('sha256').update(verifier).digest('base64url');

let t: TestApp;
let session: string;
const secrets: Record<string, string> = {};

async function authorize(query: Record<string, string>, cookie: string | null = session) {
  return t.app.inject({ method: 'GET', url: `/oauth2/authorize?${new URLSearchParams(query)}`, headers: cookie === null ? {} : withSession(cookie) });
}
const base = (clientId: string, extra: Record<string, string> = {}) => ({ client_id: clientId, redirect_uri: cb, response_type: 'code', scope: 'openid', state: 'st-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256', ...extra });
const locationOf = (response: { headers: Record<string, unknown> }): URL => new URL(String(response.headers['location']));
async function codeFor(clientId: string, extra: Record<string, string> = {}): Promise<string> {
  const response = await authorize(base(clientId, extra));
  assert.equal(response.statusCode, 303, response.body);
  return locationOf(response).searchParams.get('code') ?? assert.fail(`no code: ${String(response.headers['location'])}`);
}
async function exchange(clientId: string, form: Record<string, string>) {
  const basic = Buffer.from(`${clientId}:${secrets[clientId] ?? ''}`).toString('base64');
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...(secrets[clientId] === undefined ? {} : { authorization: `Basic ${basic}` }) };
  const body = new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: cb, ...(secrets[clientId] === undefined ? { client_id: clientId } : {}), ...form });
  return t.app.inject({ method: 'POST', url: '/v1/token', headers, payload: body.toString() });
}

describe('OpenID Provider security cases', () => {
  before(async () => {
    t = await createTestApp();
    session = await signUpThroughApi(t.app, 'sec@example.com', testPassword);
    for (const [id, type, extra] of [
      ['rp-a', 'confidential', { skipConsent: true }],
      ['rp-b', 'confidential', { skipConsent: true }],
      ['spa', 'public', { skipConsent: true }],
      ['strict', 'confidential', { skipConsent: true, requirePkce: true }],
      ['asks', 'confidential', {}],
    ] as const) {
      const created = await createClient(t.core, { id, name: `App ${id}`, type, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [cb, 'http://127.0.0.1:8080/cb'], ...extra });
      if (created.secret !== null) secrets[id] = created.secret;
    }
  });

  it('the redirect_uri must match a registered one exactly; before it does, an error page and never a redirect (SEC-200)', async () => {
    const tricks = [
      'https://rp.example.com/cb/', 'https://rp.example.com/cb/../evil', 'https://rp.example.com/cbx', 'https://rp.example.com/CB', 'HTTPS://RP.EXAMPLE.COM/cb',
      'https://rp.example.com/cb?x=1', 'https://rp.example.com/cb#', 'https://rp.example.com.evil.example/cb', 'https://evil.example@rp.example.com/cb',
      'https://rp.example.com:443/cb', 'https://rp.example.com/%63b', 'http://rp.example.com/cb', 'http://127.0.0.1:8081/cb', 'https://evil.example/cb',
    ];
    for (const redirectUri of tricks) {
      const response = await authorize({ ...base('rp-a'), redirect_uri: redirectUri, prompt: 'none' });
      assert.equal(response.statusCode, 400, redirectUri);
      assert.equal(response.headers['location'], undefined, `${redirectUri} was redirected to`);
      assert.match(response.body, /data-reason="unregistered_redirect_uri"/, redirectUri);
    }
    for (const [query, reason] of [
      [{ ...base('rp-a'), client_id: 'nobody' }, 'unknown_client'],
      [{ ...base('rp-a'), client_id: '' }, 'missing_client_id'],
      [{ ...base('rp-a'), redirect_uri: '' }, 'missing_redirect_uri'],
    ] as const) {
      const response = await authorize(query);
      assert.equal(response.statusCode, 400);
      assert.equal(response.headers['location'], undefined);
      assert.match(response.body, new RegExp(`data-reason="${reason}"`));
    }
    assert.equal((await authorize({ ...base('rp-a'), redirect_uri: 'http://127.0.0.1:8080/cb' })).statusCode, 303, 'a registered one, exactly, is used');
  });

  it('a repeated client_id or redirect_uri gets the browser an error page, and any other repeated parameter goes back to the registered redirect_uri as invalid_request (SEC-200)', async () => {
    const query = (extra: string) => `/oauth2/authorize?${new URLSearchParams(base('rp-a'))}&${extra}`;
    for (const extra of [`client_id=rp-b`, `redirect_uri=${encodeURIComponent('http://127.0.0.1:8080/cb')}`]) {
      const response = await t.app.inject({ method: 'GET', url: query(extra), headers: withSession(session) });
      assert.equal(response.statusCode, 400, extra);
      assert.match(String(response.headers['content-type']), /^text\/html/, `${extra}: a page for the browser, not JSON`);
      assert.equal(response.headers['location'], undefined, extra);
      assert.match(response.body, /data-reason="repeated_parameter"/, extra);
    }
    const response = await t.app.inject({ method: 'GET', url: query('scope=profile'), headers: withSession(session) });
    assert.equal(response.statusCode, 303, response.body);
    const location = locationOf(response);
    assert.equal(`${location.origin}${location.pathname}`, cb);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('every authorization response names the issuer (RFC 9207), success and error alike, and discovery says so (SEC-201)', async () => {
    const success = locationOf(await authorize(base('rp-a')));
    assert.equal(success.searchParams.get('iss'), testOrigin);
    const failure = locationOf(await authorize({ ...base('rp-a'), response_type: 'token' }));
    assert.equal(failure.searchParams.get('error'), 'unsupported_response_type');
    assert.equal(failure.searchParams.get('iss'), testOrigin);
    const metadata = (await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })).json();
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
    assert.equal(metadata.issuer, testOrigin);
  });

  it('a code issued to one client is refused to another, and stays usable by its own client (SEC-202)', async () => {
    const code = await codeFor('rp-a');
    const injected = await exchange('rp-b', { code, code_verifier: verifier });
    assert.equal(injected.statusCode, 400);
    assert.equal(injected.json().error, 'invalid_grant');
    const own = await exchange('rp-a', { code, code_verifier: verifier });
    assert.equal(own.statusCode, 200, own.body);
  });

  it('PKCE cannot be downgraded: required of public and requirePkce clients, S256 only, verifier checked, no verifier where no challenge was sent (SEC-203)', async () => {
    const noPkce = { code_challenge: '', code_challenge_method: '' };
    for (const [clientId, extra] of [['spa', noPkce], ['strict', noPkce], ['rp-a', { ...noPkce, nonce: '' }], ['rp-a', { code_challenge_method: 'plain' }], ['rp-a', { code_challenge: verifier, code_challenge_method: 'plain' }]] as const) {
      const location = locationOf(await authorize(base(clientId, extra)));
      assert.equal(location.searchParams.get('error'), 'invalid_request', `${clientId} ${JSON.stringify(extra)}`);
      assert.equal(location.searchParams.get('code'), null);
    }
    // A confidential client with an OpenID nonce may skip PKCE (RFC 9700 2.1.1)...
    const nonceOnly = await codeFor('rp-a', noPkce);
    // ...and then must not send a verifier: that would be a downgrade of a PKCE request.
    assert.equal((await exchange('rp-a', { code: nonceOnly, code_verifier: verifier })).json().error, 'invalid_grant');
    const withPkce = await codeFor('spa');
    assert.equal((await exchange('spa', { code: withPkce })).json().error, 'invalid_grant', 'no verifier');
    assert.equal((await exchange('spa', { code: withPkce, code_verifier: 'b'.repeat(43) })).json().error, 'invalid_grant', 'wrong verifier');
  });

  it('state comes back verbatim, the nonce goes into the ID token, and a replayed code is refused (SEC-204)', async () => {
    const state = 'state «with» spaces & symbols';
    const response = await authorize(base('rp-a', { state, nonce: 'nonce-xyz' }));
    const location = locationOf(response);
    assert.equal(location.searchParams.get('state'), state);
    const tokens = await exchange('rp-a', { code: location.searchParams.get('code')!, code_verifier: verifier });
    const idToken = tokens.json().id_token as string;
    assert.equal(JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()).nonce, 'nonce-xyz');
    const replay = await exchange('rp-a', { code: location.searchParams.get('code')!, code_verifier: verifier });
    assert.equal(replay.json().error, 'invalid_grant');
  });

  it('prompt=none never shows a page and never skips consent: consent_required, login_required (SEC-205)', async () => {
    const consentMissing = await authorize(base('asks', { prompt: 'none' }));
    assert.equal(consentMissing.statusCode, 303);
    assert.equal(locationOf(consentMissing).searchParams.get('error'), 'consent_required');
    assert.equal(locationOf(consentMissing).searchParams.get('code'), null);
    const nobody = await authorize(base('asks', { prompt: 'none' }), null);
    assert.equal(locationOf(nobody).searchParams.get('error'), 'login_required');
    assert.equal(locationOf(await authorize(base('asks', { prompt: 'none login' }))).searchParams.get('error'), 'invalid_request');
  });

  it('the consent page cannot be framed, and its form cannot be posted from another site (SEC-206)', async () => {
    const page = await authorize(base('asks'));
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /data-authorize="consent"/);
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');
    const requestId = /name="request" value="([^"]+)"/.exec(page.body)?.[1] ?? assert.fail('no request id');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/oauth2/authorize/consent',
      headers: { ...withSession(session), 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      payload: new URLSearchParams({ request: requestId, decision: 'allow' }).toString(),
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(forged.headers['location'], undefined);
    assert.equal(await t.core.store.consents.find((await t.core.store.users.findByEmail('sec@example.com'))!.id, 'asks'), null, 'nothing was allowed');
  });

  it('a code used twice revokes what the first exchange got: the refresh token family and the access token (SEC-207)', async () => {
    const code = await codeFor('rp-a', { scope: 'openid offline_access' });
    const first = (await exchange('rp-a', { code, code_verifier: verifier })).json();
    assert.ok(first.refresh_token);
    const jti = JSON.parse(Buffer.from((first.access_token as string).split('.')[1]!, 'base64url').toString()).jti as string;
    t.core.clock.advance(30_000);
    const second = await exchange('rp-a', { code, code_verifier: verifier });
    assert.equal(second.json().error, 'invalid_grant');
    assert.equal(await t.core.store.revocations.hasJti(jti), true, 'the access token is in the revocation feed');
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`rp-a:${secrets['rp-a']}`).toString('base64')}` },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: first.refresh_token }).toString(),
    });
    assert.equal(refresh.json().error, 'invalid_grant', 'the refresh token is gone');
  });

  it('two exchanges of one code at the same moment: one gets tokens, and the loser revokes them at once (SEC-207)', async () => {
    const code = await codeFor('rp-a', { scope: 'openid offline_access' });
    // The winner signs slowly (a loaded server): the loser's revocation runs before it has answered.
    const activeKey = t.tokens.keyRing.activeKey;
    let slowed = false;
    t.tokens.keyRing.activeKey = async () => {
      if (!slowed) {
        slowed = true;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return activeKey();
    };
    const [a, b] = await Promise.all([exchange('rp-a', { code, code_verifier: verifier }), exchange('rp-a', { code, code_verifier: verifier })]).finally(() => {
      t.tokens.keyRing.activeKey = activeKey;
    });
    const winner = a.statusCode === 200 ? a : b;
    const loser = a.statusCode === 200 ? b : a;
    assert.equal(winner.statusCode, 200, winner.body);
    assert.equal(loser.json().error, 'invalid_grant');
    // What the winner got was recorded when it spent the code, so the loser, arriving while the
    // winner is still signing its tokens, already revokes them.
    const tokens = winner.json();
    const jti = JSON.parse(Buffer.from((tokens.access_token as string).split('.')[1]!, 'base64url').toString()).jti as string;
    assert.equal(await t.core.store.revocations.hasJti(jti), true, 'the access token is in the revocation feed');
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`rp-a:${secrets['rp-a']}`).toString('base64')}` },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }).toString(),
    });
    assert.equal(refresh.json().error, 'invalid_grant', 'the refresh token is gone');
  });
});

describe('authorization requests that wait, per IP', () => {
  it('each one stores the request: past the free 300 from one IP, 429 with Retry-After and nothing stored; other IPs, and codes issued at once, unaffected (SEC-216)', async () => {
    const app = await createTestApp();
    try {
      await createClient(app.core, { id: 'pub', name: 'Public app', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb], skipConsent: true });
      const signedIn = await signUpThroughApi(app.app, 'flood@example.com', testPassword);
      // What an attacker sends: the largest parameters the endpoint takes, signed out, from one address.
      const big = 'x'.repeat(4000);
      const query = new URLSearchParams({ ...base('pub'), state: big, nonce: big, login_hint: big, acr_values: big });
      const send = (remoteAddress: string, cookie: string | null = null) =>
        app.app.inject({ method: 'POST', url: '/oauth2/authorize', remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie === null ? {} : withSession(cookie)) }, payload: query.toString() });
      for (let i = 0; i < 300; i++) {
        const response = await send('203.0.113.9');
        assert.equal(response.statusCode, 303, `request ${i + 1}`);
        assert.match(String(response.headers['location']), /^\/login\?return_to=/);
      }
      const refused = await send('203.0.113.9');
      assert.equal(refused.statusCode, 429, refused.body);
      assert.ok(Number(refused.headers['retry-after']) >= 1, 'says when to try again');
      const stored = await app.core.store.pendingAuthorizations.deleteExpired(app.core.clock.nowMs() + 24 * 3_600_000);
      assert.equal(stored, 300, 'only the 300 allowed requests were stored');
      assert.equal((await send('203.0.113.10')).statusCode, 303, 'another IP is not held back');
      // A signed-in user whose app needs no consent gets a code at once: nothing waits, nothing is counted.
      const direct = await send('203.0.113.9', signedIn);
      assert.equal(direct.statusCode, 303);
      assert.ok(new URL(String(direct.headers['location'])).searchParams.get('code'), 'a code, not a wait');
      app.core.clock.advance(1000);
      assert.equal((await send('203.0.113.9')).statusCode, 303, 'the wait is temporary');
    } finally {
      await app.close();
    }
  });
});

describe('pushed authorization requests for a public client, per IP', () => {
  it('anyone may push for a public client (no secret) and each push stores up to 64 kB: past the free 300 from one IP, 429 and nothing stored; a confidential client is not counted (SEC-217)', async () => {
    const app = await createTestApp();
    try {
      await createClient(app.core, { id: 'pub', name: 'Public app', type: 'public', grantTypes: ['authorization_code'], redirectUris: [cb] });
      const backend = await createClient(app.core, { id: 'backend', name: 'Backend app', type: 'confidential', grantTypes: ['authorization_code'], redirectUris: [cb] });
      const junk = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`junk${i}`, 'x'.repeat(4000)]));
      const push = (clientId: string, remoteAddress: string, headers: Record<string, string> = {}) =>
        app.app.inject({ method: 'POST', url: '/oauth2/par', remoteAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams({ ...base(clientId), ...junk }).toString() });
      for (let i = 0; i < 300; i++) assert.equal((await push('pub', '203.0.113.20')).statusCode, 201, `push ${i + 1}`);
      const refused = await push('pub', '203.0.113.20');
      assert.equal(refused.statusCode, 429, refused.body);
      assert.ok(Number(refused.headers['retry-after']) >= 1, 'says when to try again');
      assert.equal(await app.core.store.pushedAuthorizationRequests.deleteExpired(app.core.clock.nowMs() + 3_600_000), 300, 'only the 300 allowed pushes were stored');
      assert.equal((await push('pub', '203.0.113.21')).statusCode, 201, 'another IP is not held back');
      const basic = `Basic ${Buffer.from(`backend:${backend.secret ?? ''}`).toString('base64')}`;
      assert.equal((await push('backend', '203.0.113.20', { authorization: basic })).statusCode, 201, 'an authenticated confidential client is not counted');
    } finally {
      await app.close();
    }
  });
});
