// POST /v1/token/revoke (RFC 7009): refresh tokens end their session, access tokens get a jti entry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, type TestApp } from '../../support/http-app.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('POST /v1/token/revoke', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await signUpThroughApi(t.app, 'revoke@example.com', testPassword);
    await createClient(t.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    await createClient(t.core, { id: 'other', name: 'Other', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
  });
  after(() => t.close());

  const post = (url: string, fields: Record<string, string>) => t.app.inject({ method: 'POST', url, headers: form, payload: new URLSearchParams(fields).toString() });
  const login = async () => (await post('/v1/token', { grant_type: 'password', username: 'revoke@example.com', password: testPassword, client_id: 'spa' })).json();

  it('a refresh token: its session and family end, and the feed gets the sid', async () => {
    const pair = await login();
    const sid = decodeJwt(pair.access_token).sid as string;
    const response = await post('/v1/token/revoke', { token: pair.refresh_token, token_type_hint: 'refresh_token', client_id: 'spa' });
    assert.equal(response.statusCode, 200);
    assert.equal((await post('/v1/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: 'spa' })).json().error, 'invalid_grant');
    assert.equal(await t.core.store.sessions.findWithUser(sid), null);
    const feed = await t.core.store.revocations.listAfter(0, 100);
    assert.ok(feed.some((r) => r.sid === sid));
  });

  it('an access token: a jti entry that lasts until its exp', async () => {
    const pair = await login();
    const { jti, exp } = decodeJwt(pair.access_token);
    assert.equal((await post('/v1/token/revoke', { token: pair.access_token, client_id: 'spa' })).statusCode, 200);
    const entry = (await t.core.store.revocations.listAfter(0, 100)).find((r) => r.jti === jti);
    assert.ok(entry);
    assert.equal(entry.expiresAtMs, (exp as number) * 1000);
    assert.equal((await post('/v1/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: 'spa' })).statusCode, 200, 'the grant itself lives on');
  });

  it("answers 200 and changes nothing for another client's token, an unknown token or garbage (SEC-77)", async () => {
    const pair = await login();
    const before = (await t.core.store.revocations.listAfter(0, 1000)).length;
    for (const token of [pair.refresh_token, pair.access_token]) {
      assert.equal((await post('/v1/token/revoke', { token, client_id: 'other' })).statusCode, 200);
    }
    for (const token of ['garbage', 'a.b.c', `${'A'.repeat(22)}.${'B'.repeat(43)}`]) {
      assert.equal((await post('/v1/token/revoke', { token, client_id: 'spa' })).statusCode, 200);
    }
    assert.equal((await t.core.store.revocations.listAfter(0, 1000)).length, before);
    assert.equal((await post('/v1/token', { grant_type: 'refresh_token', refresh_token: pair.refresh_token, client_id: 'spa' })).statusCode, 200);
  });

  it('needs client authentication (SEC-77)', async () => {
    const response = await post('/v1/token/revoke', { token: 'x' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error, 'invalid_client');
  });
});
