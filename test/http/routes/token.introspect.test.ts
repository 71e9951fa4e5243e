// POST /v1/token/introspect (RFC 7662).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '../../../src/core/clients/create-client.ts';
import { testPassword } from '../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, type TestApp } from '../../support/http-app.ts';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

describe('POST /v1/token/introspect', () => {
  let t: TestApp;
  let api: string;
  before(async () => {
    t = await createTestApp();
    await signUpThroughApi(t.app, 'intro@example.com', testPassword);
    await createClient(t.core, { id: 'spa', name: 'SPA', type: 'public', grantTypes: ['password', 'refresh_token'], audience: 'https://api.example.com' });
    const { secret } = await createClient(t.core, { id: 'api', name: 'API', type: 'confidential', grantTypes: ['session'], audience: 'https://api.example.com' });
    api = `Basic ${Buffer.from(`api:${secret as string}`).toString('base64')}`;
  });
  after(() => t.close());

  const post = (url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, headers: { ...form, ...headers }, payload: new URLSearchParams(fields).toString() });
  const introspect = (token: string) => post('/v1/token/introspect', { token }, { authorization: api });
  const login = async () => (await post('/v1/token', { grant_type: 'password', username: 'intro@example.com', password: testPassword, client_id: 'spa' })).json();

  it('a live access token and refresh token are active, with their claims', async () => {
    const pair = await login();
    const access = (await introspect(pair.access_token)).json();
    assert.equal(access.active, true);
    assert.equal(access.client_id, 'spa');
    assert.equal(access.aud, 'https://api.example.com');
    assert.ok(access.sid && access.jti && access.exp > access.iat);
    const refresh = (await introspect(pair.refresh_token)).json();
    assert.equal(refresh.active, true);
    assert.equal(refresh.token_type, 'refresh_token');
    assert.equal(refresh.sid, access.sid);
  });

  it('inactive once revoked (by jti, or with its session), rotated, expired, or garbage (SEC-78)', async () => {
    const a = await login();
    await post('/v1/token/revoke', { token: a.access_token, client_id: 'spa' });
    assert.deepEqual((await introspect(a.access_token)).json(), { active: false });

    const b = await login();
    await post('/v1/token', { grant_type: 'refresh_token', refresh_token: b.refresh_token, client_id: 'spa' });
    assert.deepEqual((await introspect(b.refresh_token)).json(), { active: false }, 'a rotated refresh token');
    assert.equal((await introspect(b.access_token)).json().active, true, 'its access token still lives');

    const c = await login();
    await post('/v1/token/revoke', { token: c.refresh_token, client_id: 'spa' });
    assert.deepEqual((await introspect(c.access_token)).json(), { active: false }, 'the session was ended');

    const d = await login();
    t.core.clock.advance(301_000);
    assert.deepEqual((await introspect(d.access_token)).json(), { active: false }, 'expired');
    for (const garbage of ['x', 'a.b.c', `${'A'.repeat(22)}.${'B'.repeat(43)}`]) assert.deepEqual((await introspect(garbage)).json(), { active: false });
  });

  it('is for confidential clients only (SEC-78)', async () => {
    const pair = await login();
    assert.equal((await post('/v1/token/introspect', { token: pair.access_token, client_id: 'spa' })).statusCode, 401);
    assert.equal((await post('/v1/token/introspect', { token: pair.access_token })).statusCode, 401);
  });
});
