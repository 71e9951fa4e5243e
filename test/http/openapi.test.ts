import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../support/http-app.ts';

describe('/openapi.json', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('is an OpenAPI 3.1 document listing every route the app serves, with every method', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const doc = response.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(t.app.gatehouseRoutes.size >= 19, `the route table is populated (${t.app.gatehouseRoutes.size})`);
    for (const [path, methods] of t.app.gatehouseRoutes) {
      const openApiPath = path.replace(/:(\w+)/g, '{$1}');
      for (const method of methods) {
        if (method === 'HEAD') continue; // fastify's automatic HEAD for each GET
        assert.ok(doc.paths[openApiPath]?.[method.toLowerCase()], `${method} ${openApiPath} is documented`);
      }
    }
    for (const path of ['/v1/users', '/v1/session', '/v1/sessions', '/v1/sessions/{id}', '/v1/me', '/v1/me/password', '/login', '/signup', '/account', '/logout']) {
      assert.ok(doc.paths[path], path);
    }
  });

  it('documents the request schemas that validate requests', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const body = doc.paths['/v1/users'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(body.required, ['email', 'password']);
    assert.equal(body.additionalProperties, false);
    // The same schema refuses an extra property at run time.
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/users',
      headers: { 'content-type': 'application/json' },
      payload: { email: 'a@example.com', password: 'x', extra: 1 },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'validation_failed');
  });

  it('documents problem+json error responses', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const responses = doc.paths['/v1/session'].post.responses;
    assert.ok(responses['4XX'] ?? responses['4xx'], JSON.stringify(Object.keys(responses)));
  });
});
