// Pushed authorization requests (RFC 9126) with openid-client as the relying party, against a
// real server: docs/security.md SEC-210, SEC-245, SEC-246, SEC-247, SEC-248.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as client from 'openid-client';
import { authorizationRequest, startOpFixture, type OpFixture } from '../../support/openid-provider.ts';
import { redirected, type OpBrowser } from '../../support/op-browser.ts';
import type { Credentials } from '../../support/op-browser.ts';

const redirectUri = 'http://127.0.0.1:9/callback';

describe('POST /oauth2/par and request_uri at /oauth2/authorize', () => {
  let op: OpFixture;
  let spa: client.Configuration;
  let strict: client.Configuration;
  let backend: client.Configuration;
  let other: client.Configuration;
  let credentials: Credentials;
  let browser: OpBrowser;

  before(async () => {
    op = await startOpFixture();
    const common = { grantTypes: ['authorization_code' as const], redirectUris: [redirectUri], skipConsent: true };
    spa = (await op.rp({ ...common, id: 'par-spa', name: 'PAR SPA', type: 'public' })).config;
    strict = (await op.rp({ ...common, id: 'par-strict', name: 'PAR required', type: 'public', requirePar: true })).config;
    backend = (await op.rp({ ...common, id: 'par-backend', name: 'PAR backend', type: 'confidential' })).config;
    other = (await op.rp({ ...common, id: 'par-other', name: 'Another app', type: 'public' })).config;
    ({ credentials, browser } = await op.user('par@example.com'));
    await browser.logIn(credentials);
  });
  after(() => op?.close());

  /** Pushes a PKCE request as openid-client does; the URL carries only client_id and request_uri. */
  const pushed = async (config: client.Configuration) => {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = await client.buildAuthorizationUrlWithPAR(config, { redirect_uri: redirectUri, scope: 'openid email', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state });
    return { url, verifier, state };
  };
  const finish = async (config: client.Configuration, request: { url: URL; verifier: string; state: string }) => {
    const callback = redirected(await browser.authorize(request.url, { credentials }));
    return client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state });
  };
  const refusedPage = async (url: URL) => {
    const stop = await browser.authorize(url, { credentials });
    assert.equal(stop.kind, 'page', JSON.stringify(stop.kind === 'redirect' ? stop.url : ''));
    if (stop.kind !== 'page') return;
    assert.equal(stop.status, 400);
    assert.match(stop.html, /data-reason="invalid_request_uri"/);
  };

  it('discovery advertises the endpoint; a public and a confidential client complete the code flow through it', async () => {
    assert.equal(spa.serverMetadata().pushed_authorization_request_endpoint, `${op.server.url}/oauth2/par`);
    assert.equal(spa.serverMetadata().require_pushed_authorization_requests, false);
    for (const config of [spa, backend]) {
      const request = await pushed(config);
      assert.deepEqual([...request.url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
      assert.match(request.url.searchParams.get('request_uri') ?? '', /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]+$/);
      const tokens = await finish(config, request);
      assert.ok(tokens.access_token);
      assert.ok(tokens.claims()?.sub);
    }
  });

  it('a client registered with requirePar: refused without PAR, served with it', async () => {
    const front = await authorizationRequest(strict, redirectUri);
    const refused = redirected(await browser.authorize(front.url, { credentials }));
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    assert.ok((await finish(strict, await pushed(strict))).access_token);
  });

  it('fapi2-security-profile-final-par-attempt-reuse-request_uri: a request_uri works once (SEC-245)', async () => {
    const request = await pushed(spa);
    assert.ok((await finish(spa, request)).access_token);
    await refusedPage(request.url);
  });

  it('fapi2-security-profile-final-par-attempt-to-use-expired-request_uri: after 60 s it is refused (SEC-246)', async () => {
    const request = await pushed(spa);
    op.clock.advance(61_000);
    await refusedPage(request.url);
  });

  it('fapi2-security-profile-final-par-attempt-to-use-request_uri-for-different-client: refused, and then spent (SEC-247)', async () => {
    const request = await pushed(spa);
    const stolen = new URL(request.url);
    stolen.searchParams.set('client_id', other.clientMetadata().client_id);
    await refusedPage(stolen);
    await refusedPage(request.url);
    const made = new URL(request.url);
    made.searchParams.set('request_uri', 'urn:ietf:params:oauth:request_uri:madeUpmadeUpmadeUpmadeUp');
    await refusedPage(made);
  });

  it('refuses pushes without client authentication, with a request_uri inside, an unregistered redirect_uri, or another client_id (SEC-248)', async () => {
    const par = `${op.server.url}/oauth2/par`;
    const push = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(par, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields) });
    const base = { response_type: 'code', redirect_uri: redirectUri, scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' };
    const noSecret = await push({ ...base, client_id: 'par-backend' });
    assert.equal(noSecret.status, 401);
    assert.equal(((await noSecret.json()) as { error: string }).error, 'invalid_client');
    const cases: [string, Record<string, string>, string][] = [
      ['request_uri inside', { ...base, client_id: 'par-spa', request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'invalid_request'],
      ['unregistered redirect_uri', { ...base, client_id: 'par-spa', redirect_uri: 'http://127.0.0.1:9/callback/other' }, 'invalid_request'],
      ['no response_type', { ...base, client_id: 'par-spa', response_type: '' }, 'invalid_request'],
    ];
    for (const [name, fields, error] of cases) {
      const answer = await push(fields);
      assert.equal(answer.status, 400, name);
      assert.equal(((await answer.json()) as { error: string }).error, error, name);
    }
    const ok = await push({ ...base, client_id: 'par-spa' });
    assert.equal(ok.status, 201);
    assert.equal(((await ok.json()) as { expires_in: number }).expires_in, 60);
  });

  it('validates at push time everything the authorization endpoint validates: a bad request fails at /oauth2/par with a JSON error, not later in the browser (SEC-210)', async () => {
    const challenge = await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier());
    const good = { redirect_uri: redirectUri, scope: 'openid email', code_challenge: challenge, code_challenge_method: 'S256', state: 's-1' };
    const { id_token: hintForOther } = await finish(other, await pushed(other));
    const cases: [string, Record<string, string>, string][] = [
      ['an unsupported response_type', { ...good, response_type: 'token' }, 'unsupported_response_type'],
      ['no scope it may have', { ...good, scope: 'admin unknown' }, 'invalid_scope'],
      ['a public client without PKCE', { redirect_uri: redirectUri, scope: 'openid', nonce: 'n-1' }, 'invalid_request'],
      ['PKCE plain', { ...good, code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, 'invalid_request'],
      ['a malformed code_challenge', { ...good, code_challenge: 'short' }, 'invalid_request'],
      ['an unknown prompt', { ...good, prompt: 'bogus' }, 'invalid_request'],
      ['prompt=none with another value', { ...good, prompt: 'none login' }, 'invalid_request'],
      ['a max_age that is not a number', { ...good, max_age: 'soon' }, 'invalid_request'],
      ['an unknown response_mode', { ...good, response_mode: 'fragment' }, 'invalid_request'],
      ['malformed claims', { ...good, claims: '{"id_token":' }, 'invalid_request'],
      ['an unregistered redirect_uri', { ...good, redirect_uri: `${redirectUri}/other` }, 'invalid_request'],
      ['an id_token_hint that is not ours', { ...good, id_token_hint: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.' }, 'invalid_request'],
      ["an id_token_hint issued to another client", { ...good, id_token_hint: hintForOther! }, 'invalid_request'],
    ];
    for (const [what, parameters, error] of cases) {
      await assert.rejects(client.buildAuthorizationUrlWithPAR(spa, parameters), (e: unknown) => {
        assert.ok(e instanceof client.ResponseBodyError, `${what}: ${String(e)}`);
        assert.equal(e.status, 400, what);
        assert.equal(e.error, error, what);
        return true;
      });
    }
    // The same request, well formed, is pushed and served.
    const verifier = client.randomPKCECodeVerifier();
    const url = await client.buildAuthorizationUrlWithPAR(spa, { ...good, code_challenge: await client.calculatePKCECodeChallenge(verifier), claims: '{"id_token":{"email":null}}', prompt: 'consent', max_age: '600' });
    const tokens = await client.authorizationCodeGrant(spa, redirected(await browser.authorize(url, { credentials })), { pkceCodeVerifier: verifier, expectedState: 's-1' });
    assert.ok(tokens.access_token);
  });
});
