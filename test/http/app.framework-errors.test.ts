// The router's own refusals, found by the OpenAPI fuzzer (test/http/app.fuzz.test.ts): they are
// answered before any hook runs, and came out as fastify's JSON without the security headers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/http-app.ts';

describe('requests the router refuses', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  // Issue 10 finding 8, the attacker's own payloads: `GET /%` and a 3,000-character path parameter.
  it('SEC-110: GET /% and a 3,000-character path parameter are problem+json with the security headers, the URL not echoed', async () => {
    for (const url of ['/%', `/v1/sessions/${'q'.repeat(3000)}`, `/account/sessions/${'q'.repeat(3000)}/revoke`]) {
      const response = await t.app.inject({ method: url.startsWith('/account') ? 'POST' : url === '/%' ? 'GET' : 'DELETE', url });
      assert.equal(response.statusCode, 400, url);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/, url);
      assert.ok(response.headers['content-security-policy'], url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.doesNotMatch(response.body, /FST_ERR|qqqq|%/, url);
    }
  });

  it('SEC-161: an over-long path parameter or a malformed percent-encoding is 400 problem+json with the security headers', async () => {
    for (const url of [`/v1/sessions/${'a'.repeat(200)}`, `/account/sessions/${'a'.repeat(1000)}/revoke`, '/v1/sessions/%E0%A4%A', '/account/sessions/%zz/revoke']) {
      const response = await t.app.inject({ method: url.startsWith('/account') ? 'POST' : 'DELETE', url });
      assert.equal(response.statusCode, 400, url);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/, url);
      assert.equal(response.json().code, 'validation_failed', url);
      assert.equal(response.headers['cache-control'], 'no-store', url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.doesNotMatch(response.body, /FST_ERR/, url);
    }
  });
});
