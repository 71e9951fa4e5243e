import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grantOperator } from '../../../../src/core/operators/set-operator.ts';
import { testContext, testPassword } from '../../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../../support/http-app.ts';

/**
 * Walks the real route table (every route fastify registered, hidden ones included): every
 * /admin route, with every method it has, refuses the public, an ordinary user and an operator
 * without a second factor, and changes nothing (docs/security.md SEC-276). A new console route
 * is covered the moment it exists.
 */

let t: TestApp;
before(async () => {
  t = await createTestApp({ config: { console: { webhookKeys: [new Uint8Array(32).fill(1)] } } });
});
after(() => t.close());

const form = { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };

function adminRoutes(): Array<{ method: string; url: string }> {
  const routes: Array<{ method: string; url: string }> = [];
  for (const [path, methods] of t.app.gatehouseRoutes) {
    if (path !== '/admin' && !path.startsWith('/admin/')) continue;
    // Path parameters get a value that would exist: the refusal must not depend on a miss.
    const url = path.replace(/:[A-Za-z]+/g, 'some-id');
    for (const method of methods) routes.push({ method, url });
  }
  return routes;
}

describe('every /admin route refuses anyone but an operator with a second factor (SEC-276)', () => {
  it('other methods on a console path get the plain 404 of an unknown URL, not a 405 that would name the console (SEC-270)', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
      const response = await t.app.inject({ method, url: '/admin', headers: { origin: testOrigin } });
      assert.equal(response.statusCode, 404, method);
      assert.equal(response.headers.allow, undefined);
    }
  });

  it('the route table has the console routes (the walk is not vacuous)', () => {
    const routes = adminRoutes();
    assert.ok(routes.length >= 10, JSON.stringify(routes));
    assert.ok(routes.some((r) => r.method === 'POST'));
  });

  it('signed out, a plain user, an operator without a second factor: 404 / 404 / 403, and no row changes (SEC-276)', async () => {
    const plain = await signUpThroughApi(t.app, 'plain-walk@example.com', testPassword);
    const opToken = await signUpThroughApi(t.app, 'op-walk@example.com', testPassword);
    const op = (await t.core.store.users.findByEmail('op-walk@example.com'))!;
    await grantOperator(t.core, op.id, testContext());
    const usersBefore = await t.core.store.userDirectory.count();
    const sessionsBefore = await t.core.store.sessionCensus.countActive(t.core.clock.nowMs(), t.core.sessionPolicy.idleTimeoutMs);
    const cases = [
      { who: 'signed out', headers: {}, status: 404 },
      { who: 'plain user', headers: withSession(plain), status: 404 },
      { who: 'operator without a second factor', headers: withSession(opToken), status: 403 },
    ];
    for (const route of adminRoutes()) {
      for (const c of cases) {
        const response = await t.app.inject({ method: route.method as 'GET', url: route.url, headers: { ...form, ...c.headers }, ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { payload: 'q=x' }) });
        assert.equal(response.statusCode, c.status, `${route.method} ${route.url} as ${c.who}: ${response.statusCode}`);
      }
    }
    assert.equal(await t.core.store.userDirectory.count(), usersBefore);
    assert.equal(await t.core.store.sessionCensus.countActive(t.core.clock.nowMs(), t.core.sessionPolicy.idleTimeoutMs), sessionsBefore);
  });
});
