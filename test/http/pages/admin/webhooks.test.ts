import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addWebhookEndpoint } from '../../../../src/core/webhooks/add-webhook-endpoint.ts';
import { openWebhookSecret } from '../../../../src/core/webhooks/webhook-secret.ts';
import { followShownOnce, makeConsoleOperator } from '../../../support/operators.ts';
import { testContext, testPassword } from '../../../support/core-deps.ts';
import { createTestApp, sameOriginJson, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../../support/http-app.ts';

/** The console's webhooks page (src/http/pages/admin/webhooks.ts): endpoints, failure state, dead letters, retry. */

let t: TestApp;
let op: { token: string; id: string };
const webhookKeys = [new Uint8Array(32).fill(4)];
before(async () => {
  t = await createTestApp({ config: { console: { webhookKeys } } });
  const token = await signUpThroughApi(t.app, 'hooks-operator@example.com', testPassword);
  const id = (await t.core.store.users.findByEmail('hooks-operator@example.com'))!.id;
  await makeConsoleOperator(t.core, id);
  op = { token, id };
});
after(() => t.close());

const form = { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...withSession(op.token) } });
const post = (url: string, payload = '') => t.app.inject({ method: 'POST', url, headers: { ...form, ...withSession(op.token) }, payload });
const secretIn = (body: string): string | undefined => /data-webhook-secret>(whsec_[A-Za-z0-9+/=]+)</.exec(body)?.[1];

describe('console: webhooks', () => {
  it('lists the endpoints with their failure state, and the dead letters with a retry that keeps the id and is audited with the operator; nobody else sees or retries (SEC-299)', async () => {
    const deps = { store: t.core.store, clock: t.core.clock, random: t.core.random, webhookKeys };
    const { endpoint } = await addWebhookEndpoint(deps, { url: 'https://hooks.example.com/<in>', events: ['user.created'] }, testContext());
    await t.core.store.webhookEndpoints.recordAttempt(endpoint.id, { ok: false, atMs: t.core.clock.nowMs(), error: 'status_503' });
    const now = t.core.clock.nowMs();
    await t.core.store.deliveries.enqueue({ id: 'msg_dead1', kind: 'webhook', targetUrl: endpoint.url, payload: '{"type":"user.created","data":{}}', subject: endpoint.id, createdAtMs: now, nextAttemptAtMs: now });
    await t.core.store.deliveries.claimDue({ kinds: ['webhook'], nowMs: now, leaseUntilMs: now + 1000, leaseToken: 'lease', limit: 10 });
    await t.core.store.deliveries.complete('msg_dead1', 'lease', { state: 'dead', atMs: now, nextAttemptAtMs: now, lastStatus: 503, lastError: 'status_503' });

    const page = await get('/admin/webhooks');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /<code>https:\/\/hooks\.example\.com\/%3Cin%3E<\/code>/, 'the URL, escaped');
    assert.match(page.body, /failing<\/strong>: 1 in a row \(status_503\)/);
    assert.match(page.body, /data-delivery-id="msg_dead1"/);
    assert.match(page.body, /status_503 \(HTTP 503\)/);
    assert.match(page.body, /aria-current="page">Webhooks/);
    assert.doesNotMatch(page.body, /whsec_|secretJwe|eyJ/, 'no secret on the page');

    const retried = await post('/admin/webhooks/deliveries/msg_dead1/retry');
    assert.equal(retried.statusCode, 303);
    assert.equal(retried.headers.location, '/admin/webhooks?done=retried');
    const delivery = await t.core.store.deliveries.find('msg_dead1');
    assert.deepEqual([delivery?.id, delivery?.state], ['msg_dead1', 'pending']);
    const audit = (await t.core.store.audit.list({ limit: 50 })).find((e) => e.type === 'delivery.retried');
    assert.deepEqual([audit?.type, audit?.actorId, audit?.detail], ['delivery.retried', op.id, 'msg_dead1']);
    assert.match((await get('/admin/webhooks?done=retried')).body, /pending again/);

    // A plain user sees nothing and retries nothing: the console's 404 (SEC-299).
    const plain = await signUpThroughApi(t.app, 'hooks-plain@example.com', testPassword);
    await t.core.store.deliveries.claimDue({ kinds: ['webhook'], nowMs: t.core.clock.nowMs(), leaseUntilMs: t.core.clock.nowMs() + 1000, leaseToken: 'lease2', limit: 10 });
    await t.core.store.deliveries.complete('msg_dead1', 'lease2', { state: 'dead', atMs: now, nextAttemptAtMs: now, lastStatus: 503, lastError: 'status_503' });
    assert.equal((await t.app.inject({ method: 'GET', url: '/admin/webhooks', headers: { accept: 'text/html', ...withSession(plain) } })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'POST', url: '/admin/webhooks/deliveries/msg_dead1/retry', headers: { ...form, ...withSession(plain) }, payload: '' })).statusCode, 404);
    assert.equal((await t.core.store.deliveries.find('msg_dead1'))?.state, 'dead', 'nothing retried');
    assert.equal((await post('/admin/webhooks/deliveries/msg_dead1/retry')).statusCode, 303);

    const again = await post('/admin/webhooks/deliveries/msg_dead1/retry');
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /No such dead delivery/);
  });

  it('adds an endpoint (the CLI rules), rotates its secret and removes it; each secret shown once after a redirect; audited with the operator; re-authentication first (SEC-281, SEC-282)', async () => {
    const added = await post('/admin/webhooks/endpoints', 'url=https%3A%2F%2Freceiver.example.com%2Fhook&event=user.created&event=login.failed');
    assert.equal(added.headers.location, '/admin/webhooks', added.body);
    const shown = await followShownOnce(t.app, added, withSession(op.token));
    const secret = secretIn(shown.page.body);
    assert.ok(secret !== undefined && shown.cleared);
    const endpoint = (await t.core.store.webhookEndpoints.list()).find((e) => e.url === 'https://receiver.example.com/hook')!;
    assert.deepEqual(endpoint.events, ['user.created', 'login.failed']);
    assert.equal(await openWebhookSecret(endpoint.secretJwe, endpoint.id, webhookKeys), secret, 'the secret shown is the one that signs');
    const reload = await get('/admin/webhooks');
    assert.equal(secretIn(reload.body), undefined, 'shown once');
    assert.equal((await t.core.store.webhookEndpoints.list()).filter((e) => e.url === 'https://receiver.example.com/hook').length, 1, 'a reload adds nothing');

    // The CLI's rules: https only (http for localhost), known events.
    for (const payload of ['url=http%3A%2F%2Freceiver.example.com%2Fhook&event=user.created', 'url=https%3A%2F%2Fu%3Ap%40receiver.example.com%2F&event=user.created', 'url=https%3A%2F%2Freceiver.example.com%2F&event=user.hacked', 'url=https%3A%2F%2Freceiver.example.com%2F']) {
      const refused = await post('/admin/webhooks/endpoints', payload);
      assert.equal(refused.statusCode, 400, payload);
      assert.equal(secretIn(refused.body), undefined);
    }
    assert.equal((await t.core.store.webhookEndpoints.list()).length, 2, 'nothing else added');

    const rotated = await post(`/admin/webhooks/endpoints/${endpoint.id}/rotate-secret`);
    const second = secretIn((await followShownOnce(t.app, rotated, withSession(op.token))).page.body);
    assert.ok(second !== undefined && second !== secret);
    const stored = (await t.core.store.webhookEndpoints.list()).find((e) => e.id === endpoint.id)!;
    assert.equal(await openWebhookSecret(stored.secretJwe, endpoint.id, webhookKeys), second);
    assert.equal((await post('/admin/webhooks/endpoints/ep_none/rotate-secret')).statusCode, 404);

    assert.equal((await post(`/admin/webhooks/endpoints/${endpoint.id}/remove`)).headers.location, '/admin/webhooks?done=removed');
    assert.equal((await t.core.store.webhookEndpoints.list()).some((e) => e.id === endpoint.id), false);
    const audit = await t.core.store.audit.list({ limit: 100 });
    for (const type of ['webhook.endpoint_added', 'webhook.secret_rotated', 'webhook.endpoint_removed']) {
      assert.equal(audit.find((e) => e.type === type && e.detail?.startsWith(endpoint.id) === true)?.actorId, op.id, type);
    }

    // Later than the re-authentication window: each change sends the operator to re-authenticate first.
    const [other] = await t.core.store.webhookEndpoints.list();
    t.core.clock.advance(6 * 60_000);
    for (const url of ['/admin/webhooks/endpoints', `/admin/webhooks/endpoints/${other!.id}/rotate-secret`, `/admin/webhooks/endpoints/${other!.id}/remove`]) {
      const response = await post(url, 'url=https%3A%2F%2Flate.example.com%2F&event=user.created');
      assert.equal(response.statusCode, 303, url);
      assert.match(String(response.headers.location), /^\/account\/reauth\?return_to=%2Fadmin%2Fwebhooks$/, url);
    }
    assert.equal((await t.core.store.webhookEndpoints.list()).length, 1, 'nothing added or removed');
    assert.equal((await t.core.store.webhookEndpoints.list())[0]?.secretJwe, other!.secretJwe, 'not rotated');
    const reauth = await t.app.inject({ method: 'POST', url: '/v1/me/reauth', headers: { ...sameOriginJson, ...withSession(op.token) }, payload: { password: testPassword } });
    assert.equal(reauth.statusCode, 200);
  });
});
