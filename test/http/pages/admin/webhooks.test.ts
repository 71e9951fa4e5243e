import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addWebhookEndpoint } from '../../../../src/core/webhooks/add-webhook-endpoint.ts';
import { makeConsoleOperator } from '../../../support/operators.ts';
import { testContext, testPassword } from '../../../support/core-deps.ts';
import { createTestApp, signUpThroughApi, testOrigin, withSession, type TestApp } from '../../../support/http-app.ts';

/** The console's webhooks page (src/http/pages/admin/webhooks.ts): endpoints, failure state, dead letters, retry. */

let t: TestApp;
let op: { token: string; id: string };
before(async () => {
  t = await createTestApp();
  const token = await signUpThroughApi(t.app, 'hooks-operator@example.com', testPassword);
  const id = (await t.core.store.users.findByEmail('hooks-operator@example.com'))!.id;
  await makeConsoleOperator(t.core, id);
  op = { token, id };
});
after(() => t.close());

const form = { origin: testOrigin, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...withSession(op.token) } });
const post = (url: string) => t.app.inject({ method: 'POST', url, headers: { ...form, ...withSession(op.token) }, payload: '' });

describe('console: webhooks', () => {
  it('lists the endpoints with their failure state, and the dead letters with a retry that keeps the id and is audited with the operator; nobody else sees or retries (SEC-299)', async () => {
    const deps = { store: t.core.store, clock: t.core.clock, random: t.core.random, webhookKeys: [new Uint8Array(32).fill(4)] };
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
});
