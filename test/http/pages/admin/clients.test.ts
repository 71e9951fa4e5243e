import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { authenticateClient } from '../../../../src/core/clients/authenticate-client.ts';
import { clientRecord } from '../../../support/client-record.ts';
import { testPassword } from '../../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../../support/http-app.ts';
import { followShownOnce, makeConsoleOperator, shownOnceCookieName } from '../../../support/operators.ts';

/** The console's clients and keys (src/http/pages/admin/clients.ts, keys.ts). */

let t: TestApp;
let token: string;
let operatorId: string;
before(async () => {
  t = await createTestApp();
  token = await signUpThroughApi(t.app, 'client-op@example.com', testPassword);
  operatorId = (await t.core.store.users.findByEmail('client-op@example.com'))!.id;
  await makeConsoleOperator(t.core, operatorId);
});
after(() => t.close());

const post = (url: string, payload: string) =>
  t.app.inject({ method: 'POST', url, headers: { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...withSession(token) }, payload });
const secretIn = (body: string): string | undefined => /data-client-secret>([A-Za-z0-9_-]+)</.exec(body)?.[1];

describe('console: clients and keys', () => {
  it('registers a client with the CLI options; its secret is shown once and works; rotation replaces it; redirect URIs are edited under the same rules; deletion; all audited with the operator (SEC-277)', async () => {
    const created = await post(
      '/admin/clients',
      'name=Billing&type=confidential&grant=authorization_code&grant=refresh_token&id=billing&redirectUris=https%3A%2F%2Fbilling.example.com%2Fcb&scopes=invoices%3Aread&requirePkce=on&idTokenSignedResponseAlg=ES256',
    );
    assert.equal(created.headers.location, '/admin/clients/billing', created.body);
    const shown = await followShownOnce(t.app, created, withSession(token));
    assert.equal(shown.page.statusCode, 200);
    assert.equal(shown.page.headers['cache-control'], 'no-store');
    assert.ok(shown.cleared, 'the page clears the cookie');
    const first = secretIn(shown.page.body);
    assert.ok(first !== undefined, 'the secret is on the page');
    const client = (await t.core.store.clients.findById('billing'))!;
    assert.deepEqual([client.redirectUris, client.scopes, client.requirePkce, client.idTokenSignedResponseAlg], [['https://billing.example.com/cb'], ['invoices:read'], true, 'ES256']);
    assert.equal((await authenticateClient(t.core, { method: 'client_secret_basic', clientId: 'billing', clientSecret: first })).id, 'billing');
    const page = await t.app.inject({ method: 'GET', url: '/admin/clients/billing', headers: { accept: 'text/html', ...withSession(token) } });
    assert.equal(secretIn(page.body), undefined, 'never shown again');

    const rotated = await post('/admin/clients/billing/rotate-secret', '');
    const second = secretIn((await followShownOnce(t.app, rotated, withSession(token))).page.body);
    assert.ok(second !== undefined && second !== first);
    await assert.rejects(authenticateClient(t.core, { method: 'client_secret_basic', clientId: 'billing', clientSecret: first }), { code: 'invalid_client' });
    assert.equal((await authenticateClient(t.core, { method: 'client_secret_basic', clientId: 'billing', clientSecret: second })).id, 'billing');

    const bad = await post('/admin/clients/billing/redirect-uris', 'redirectUris=http%3A%2F%2Fevil.example%2Fcb');
    assert.equal(bad.statusCode, 400, bad.body);
    assert.deepEqual((await t.core.store.clients.findById('billing'))!.redirectUris, ['https://billing.example.com/cb'], 'unchanged');
    const none = await post('/admin/clients/billing/redirect-uris', 'redirectUris=');
    assert.equal(none.statusCode, 400, 'the code grant needs one');
    const saved = await post('/admin/clients/billing/redirect-uris', 'redirectUris=https%3A%2F%2Fbilling.example.com%2Fcb%0D%0Ahttps%3A%2F%2Fbilling.example.com%2Fcb2&postLogoutRedirectUris=https%3A%2F%2Fbilling.example.com%2Fbye');
    assert.equal(saved.headers.location, '/admin/clients/billing?done=uris-saved');
    const updated = (await t.core.store.clients.findById('billing'))!;
    assert.deepEqual([updated.redirectUris, updated.postLogoutRedirectUris], [['https://billing.example.com/cb', 'https://billing.example.com/cb2'], ['https://billing.example.com/bye']]);

    assert.equal((await post('/admin/clients', 'name=Bad&type=public&grant=client_credentials')).statusCode, 400);
    assert.equal((await post('/admin/clients/billing/delete', '')).headers.location, '/admin/clients?done=deleted');
    assert.equal(await t.core.store.clients.findById('billing'), null);
    const audit = await t.core.store.auditSearch.page({}, { limit: 50 });
    for (const type of ['client.created', 'client.secret_rotated', 'client.redirect_uris_changed', 'client.deleted']) {
      assert.equal(audit.find((e) => e.type === type)?.actorId, operatorId, type);
    }
  });

  it('a client registered before migration 0020 shows its leeway and a button that holds it to its registered method, audited with the operator (SEC-208)', async () => {
    const secret = 'legacy-secret-of-43-characters-xxxxxxxxxxxxx';
    await t.core.store.clients.create(
      clientRecord({ id: 'legacy', name: 'Legacy', type: 'confidential', secretHash: createHash('sha256').update(secret).digest('base64url'), grantTypes: ['client_credentials'], audience: 'api', refreshTokenDelivery: 'body', createdAtMs: t.core.clock.nowMs() }, { acceptsEitherSecretMethod: true }),
    );
    const view = () => t.app.inject({ method: 'GET', url: '/admin/clients/legacy', headers: { accept: 'text/html', ...withSession(token) } });
    const before = await view();
    assert.match(before.body, /client_secret_basic and client_secret_post both accepted/);
    assert.match(before.body, /<form method="post" action="\/admin\/clients\/legacy\/enforce-auth-method"><button[^>]*>Accept client_secret_basic only<\/button>/);
    assert.equal((await authenticateClient(t.core, { method: 'client_secret_post', clientId: 'legacy', clientSecret: secret })).id, 'legacy');

    const enforced = await post('/admin/clients/legacy/enforce-auth-method', '');
    assert.equal(enforced.statusCode, 303, enforced.body);
    assert.equal(enforced.headers.location, '/admin/clients/legacy?done=auth-method-enforced');
    await assert.rejects(authenticateClient(t.core, { method: 'client_secret_post', clientId: 'legacy', clientSecret: secret }), { code: 'invalid_client' });
    assert.equal((await authenticateClient(t.core, { method: 'client_secret_basic', clientId: 'legacy', clientSecret: secret })).id, 'legacy');
    const after = await view();
    assert.doesNotMatch(after.body, /both accepted|enforce-auth-method/);
    const entry = (await t.core.store.auditSearch.page({}, { limit: 50 })).find((e) => e.type === 'client.auth_method_enforced');
    assert.equal(entry?.actorId, operatorId);
    assert.equal((await post('/admin/clients/nobody/enforce-auth-method', '')).statusCode, 404);
  });

  it('client changes and key rotation need a recent re-authentication (SEC-273)', async () => {
    await post('/admin/clients', 'name=Later&type=confidential&grant=client_credentials&id=later');
    t.core.clock.advance(6 * 60_000);
    for (const url of ['/admin/clients', '/admin/clients/later/rotate-secret', '/admin/clients/later/redirect-uris', '/admin/clients/later/enforce-auth-method', '/admin/clients/later/delete', '/admin/keys/rotate']) {
      const response = await post(url, 'name=X&type=public&grant=password');
      assert.equal(response.statusCode, 303, url);
      assert.match(String(response.headers.location), /^\/account\/reauth\?return_to=/, url);
    }
    assert.notEqual(await t.core.store.clients.findById('later'), null);
    const reauth = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers: { ...sameOriginJson, ...withSession(token) }, payload: { password: testPassword } });
    assert.equal(reauth.statusCode, 200);
  });

  it('a new secret is shown once after a redirect: a reload rotates nothing and shows nothing; a replayed, another operator\'s or an expired cookie shows nothing (SEC-282, SEC-283)', async () => {
    const get = (cookie: string) => t.app.inject({ method: 'GET', url: '/admin/clients/later', headers: { accept: 'text/html', cookie } });
    const session = withSession(token).cookie ?? '';
    const rotated = await post('/admin/clients/later/rotate-secret', '');
    assert.equal(rotated.statusCode, 303, 'answered with a redirect, so a reload re-submits nothing');
    assert.equal(rotated.headers.location, '/admin/clients/later');
    const set = rotated.cookies.find((c) => c.name === shownOnceCookieName)!;
    assert.deepEqual([set.httpOnly, set.secure, set.sameSite, set.path], [true, true, 'Strict', '/']);
    const hash = (await t.core.store.clients.findById('later'))!.secretHash;

    const shown = await followShownOnce(t.app, rotated, withSession(token));
    const secret = secretIn(shown.page.body) ?? assert.fail('the secret is shown');
    assert.ok(!set.value.includes(secret), 'not readable from the cookie');
    assert.equal((await authenticateClient(t.core, { method: 'client_secret_basic', clientId: 'later', clientSecret: secret })).id, 'later');
    // The reload: the browser dropped the cookie; nothing rotates, nothing is shown.
    const reload = await get(session);
    assert.equal(reload.statusCode, 200);
    assert.equal(secretIn(reload.body), undefined);
    assert.equal((await t.core.store.clients.findById('later'))!.secretHash, hash, 'not rotated again');
    // A copy of the cookie, replayed: shown once already.
    assert.equal(secretIn((await get(`${session}; ${shownOnceCookieName}=${shown.cookie}`)).body), undefined);

    // Another operator with a copy of this operator's cookie sees nothing.
    const other = await signUpThroughApi(t.app, 'client-op2@example.com', testPassword);
    await makeConsoleOperator(t.core, (await t.core.store.users.findByEmail('client-op2@example.com'))!.id);
    const again = await post('/admin/clients/later/rotate-secret', '');
    const copy = again.cookies.find((c) => c.name === shownOnceCookieName)!.value;
    assert.equal(secretIn((await get(`${withSession(other).cookie}; ${shownOnceCookieName}=${copy}`)).body), undefined);
    // An expired one (after 2 minutes) shows nothing either.
    t.core.clock.advance(2 * 60_000 + 1);
    assert.equal(secretIn((await get(`${session}; ${shownOnceCookieName}=${copy}`)).body), undefined);
  });

  it('lists the signing keys with their states and rotates now', async () => {
    const before = await t.tokens.keyRing.listAll();
    const list = await t.app.inject({ method: 'GET', url: '/admin/keys', headers: { accept: 'text/html', ...withSession(token) } });
    assert.equal(list.statusCode, 200);
    for (const k of before) assert.match(list.body, new RegExp(`data-kid="${k.kid}"`));
    assert.match(list.body, /signing/);
    const rotated = await post('/admin/keys/rotate', '');
    assert.equal(rotated.headers.location, '/admin/keys?done=rotated');
    const after = await t.tokens.keyRing.listAll();
    assert.ok(after.length > before.length);
    const page = await t.app.inject({ method: 'GET', url: '/admin/keys?done=rotated', headers: { accept: 'text/html', ...withSession(token) } });
    assert.match(page.body, /published, signs later/);
    assert.equal((await t.core.store.auditSearch.page({ type: 'signing_key.rotated' }, { limit: 1 }))[0]?.actorId, operatorId);
  });
});
