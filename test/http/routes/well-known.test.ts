import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, testOrigin, type TestApp } from '../../support/http-app.ts';

describe('/.well-known/oauth-authorization-server', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('publishes RFC 8414 metadata pointing at endpoints that exist', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' });
    assert.equal(response.statusCode, 200);
    const metadata = response.json();
    assert.equal(metadata.issuer, testOrigin);
    assert.equal(metadata.token_endpoint, `${testOrigin}/v1/token`);
    assert.equal(metadata.jwks_uri, `${testOrigin}/.well-known/jwks.json`);
    assert.deepEqual(metadata.grant_types_supported, ['password', 'refresh_token']);
    for (const url of [metadata.token_endpoint, metadata.jwks_uri]) {
      const path = new URL(url).pathname;
      const probe = await t.app.inject({ method: path === '/v1/token' ? 'POST' : 'GET', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
      assert.notEqual(probe.statusCode, 404, path);
    }
  });
});
