import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redirectUri } from '../../../src/core/oauth-client/oauth-deps.ts';
import { startDemoIdp, type DemoIdp } from '../../../src/dev/demo-idp.ts';
import { findFreePort } from '../../support/free-port.ts';
import { startTestServer, type TestServer } from '../../support/start-server.ts';

/** The comparison page on a real server with the demo IdP: three columns measured, bounded cost. */

describe('compare the three, measured live', () => {
  let server: TestServer;
  let idp: DemoIdp;
  const sameOrigin = (): Record<string, string> => ({ origin: server.url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' });

  before(async () => {
    const port = await findFreePort();
    const url = `http://localhost:${port}`;
    idp = await startDemoIdp({ port: 0, clients: [{ clientId: 'compare-test', clientSecret: 'compare-test-secret-compare-test', redirectUris: [redirectUri(url, 'demo')] }] });
    server = await startTestServer({ env: { PORT: String(port), GATEHOUSE_PUBLIC_URL: url, GATEHOUSE_DEV: 'true', GATEHOUSE_OAUTH_OIDC: `demo ${idp.issuer} compare-test:compare-test-secret-compare-test name=Demo` } });
  });
  after(async () => {
    await server?.close();
    await idp?.close();
  });

  test('a run measures a server session, a JWT with refresh and an OIDC login side by side, and leaves nothing behind', { timeout: 60_000 }, async () => {
    const before = (await fetch(`${server.url}/dev/inspector/compare`)).status;
    assert.equal(before, 200);
    const run = await fetch(`${server.url}/dev/inspector/compare`, { method: 'POST', headers: sameOrigin(), body: '', redirect: 'manual' });
    assert.equal(run.status, 303);
    const page = await (await fetch(`${server.url}/dev/inspector/compare`)).text();
    for (const column of ['Server session', 'JWT + refresh token', 'OAuth / OpenID Connect (demo IdP)']) assert.ok(page.includes(`<th scope="col">${column}</th>`), column);
    for (const row of ['What the server stores', 'What the client holds', 'Work per authenticated request', 'How long a logout takes to bite', 'The scaling story']) assert.ok(page.includes(row), row);
    assert.doesNotMatch(page, /not measured/, page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(-3000));
    assert.equal((page.match(/µs<\/strong>/g) ?? []).length, 3, 'work per request measured for each');
    assert.match(page, /the very next request with the old cookie is refused/);
    assert.match(page, /an API following the revocation feed refused it [\d.]+ ms after the revoke/);
    assert.match(page, /lives on: signing in again skipped the password/);
    const users = await server.gatehouse.store.users.list({ limit: 100 });
    assert.ok(!users.some((u) => u.email.startsWith('inspector-compare-')), 'the throwaway account is deleted');
    assert.deepEqual((await server.gatehouse.store.clients.list()).filter((c) => c.id.startsWith('inspector-compare')), [], 'the throwaway clients are deleted');
    const traces = await (await fetch(`${server.url}/dev/inspector/traces?limit=200`)).text();
    assert.ok(traces.includes('POST /v1/token') && traces.includes('GET /v1/oauth/demo/callback'), 'the runs are in the inspector');
  });

  test('bounded: one run at a time, at most one every 10 s, and never from another site (SEC-256)', async () => {
    const again = await fetch(`${server.url}/dev/inspector/compare`, { method: 'POST', headers: sameOrigin(), body: '', redirect: 'manual' });
    assert.equal(again.status, 429);
    assert.equal(((await again.json()) as { code: string }).code, 'compare_busy');
    assert.ok(Number(again.headers.get('retry-after')) >= 1);
    const crossSite = await fetch(`${server.url}/dev/inspector/compare`, { method: 'POST', headers: { ...sameOrigin(), origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, body: '', redirect: 'manual' });
    assert.equal(crossSite.status, 403);
  });

  test('absent in production by default (SEC-256)', async () => {
    const production = await startTestServer();
    try {
      for (const path of ['/dev/inspector/compare', '/admin/inspector/compare']) assert.equal((await fetch(`${production.url}${path}`, { method: 'POST', body: '' })).status, 404, path);
    } finally {
      await production.close();
    }
  });
});
