import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { systemRandom } from '../../../src/core/clock.ts';
import { deliverDue, type DeliverDeps } from '../../../src/core/delivery/deliver-due.ts';
import { addWebhookEndpoint } from '../../../src/core/webhooks/add-webhook-endpoint.ts';
import { rotateWebhookSecret } from '../../../src/core/webhooks/rotate-webhook-secret.ts';
import { webhookDeliveryKind } from '../../../src/core/webhooks/webhook-delivery-kind.ts';
import { webhookKind, withWebhookEvents } from '../../../src/core/webhooks/with-webhook-events.ts';
import { createAccount } from '../../../src/core/accounts/create-account.ts';
import { createHttpSender } from '../../../src/delivery/http-sender.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createManualClock, createTestCore, testContext, testPassword } from '../../support/core-deps.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe('webhookDeliveryKind, through a real receiver', () => {
  const received: Received[] = [];
  let failuresLeft = 0;
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(500).end();
      } else res.writeHead(204).end();
    });
  });
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  after(() => server.close());

  async function setUp() {
    // The real time: receivers refuse a webhook-timestamp more than 5 minutes away from theirs.
    const clock = createManualClock(Date.now());
    const webhookKeys = [new Uint8Array(32).fill(3)];
    const core = await createTestCore({ clock, store: withWebhookEvents(createMemoryStore(), systemRandom, clock) });
    const webhooks = { store: core.store, clock, random: systemRandom, webhookKeys };
    const deliver: DeliverDeps = {
      deliveries: core.store.deliveries,
      clock,
      random: systemRandom,
      sender: createHttpSender({ timeoutMs: 10_000, maxResponseBytes: 65_536, allowedNetworks: ['loopback'] }),
      kinds: new Map([[webhookKind, webhookDeliveryKind({ endpoints: core.store.webhookEndpoints, webhookKeys })]]),
      retry: { baseDelayMs: 1000, maxDelayMs: 60_000, giveUpAfterMs: 3 * 24 * 3_600_000 },
      leaseMs: 60_000,
      batchSize: 10,
    };
    return { core, clock, webhooks, deliver };
  }

  it('signs each delivery so the receiver verifies it with standardwebhooks; other secrets and changed bodies fail (SEC-290)', async () => {
    const { core, webhooks, deliver } = await setUp();
    const { endpoint, secret } = await addWebhookEndpoint(webhooks, { url, events: ['user.created'] }, testContext());
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
    const other = await addWebhookEndpoint(webhooks, { url: 'https://hooks.example.com/', events: ['login.failed'] }, testContext());
    const from = received.length;
    await createAccount(core, { email: 'ada@example.com', password: testPassword }, testContext());
    assert.equal(await deliverDue(deliver), 1);
    const [hit] = received.slice(from);
    assert.ok(hit !== undefined);
    const headers = { 'webhook-id': String(hit.headers['webhook-id']), 'webhook-timestamp': String(hit.headers['webhook-timestamp']), 'webhook-signature': String(hit.headers['webhook-signature']) };
    assert.equal(hit.headers['content-type'], 'application/json');
    const verified = new Webhook(secret).verify(hit.body, headers) as { type: string; data: { email: string } };
    assert.equal(verified.type, 'user.created');
    assert.equal(verified.data.email, 'ada@example.com');
    assert.match(headers['webhook-id'], /^msg_/);
    assert.throws(() => new Webhook(other.secret).verify(hit.body, headers), /signature/i);
    assert.throws(() => new Webhook(secret).verify(hit.body.replace('ada@', 'eve@'), headers), /signature/i);
    assert.throws(() => new Webhook(secret).verify(hit.body, { ...headers, 'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1) }), /signature/i);
    const state = await core.store.webhookEndpoints.findById(endpoint.id);
    assert.deepEqual([state?.consecutiveFailures, state?.lastError], [0, null]);
    assert.ok(state?.lastSuccessAtMs !== null);
  });

  it('retries a 500 with backoff, keeping the webhook-id, records the failure state, and signs retries with a rotated secret', async () => {
    const { core, clock, webhooks, deliver } = await setUp();
    const { endpoint, secret } = await addWebhookEndpoint(webhooks, { url, events: ['user.created'] }, testContext());
    const from = received.length;
    failuresLeft = 2;
    await createAccount(core, { email: 'bob@example.com', password: testPassword }, testContext());
    await deliverDue(deliver);
    let state = await core.store.webhookEndpoints.findById(endpoint.id);
    assert.deepEqual([state?.consecutiveFailures, state?.lastError], [1, 'status_500']);
    const [pending] = await core.store.deliveries.list({ limit: 1 });
    const firstWaitMs = (pending?.nextAttemptAtMs ?? 0) - clock.nowMs();
    assert.ok(firstWaitMs >= 500 && firstWaitMs <= 1000, `first wait ${firstWaitMs} ms`);
    assert.equal(await deliverDue(deliver), 0, 'not before its time');
    clock.advance(firstWaitMs);
    await deliverDue(deliver);
    state = await core.store.webhookEndpoints.findById(endpoint.id);
    assert.equal(state?.consecutiveFailures, 2);
    const [again] = await core.store.deliveries.list({ limit: 1 });
    const secondWaitMs = (again?.nextAttemptAtMs ?? 0) - clock.nowMs();
    assert.ok(secondWaitMs >= 1000 && secondWaitMs <= 2000, `second wait ${secondWaitMs} ms`);
    // The operator rotates the secret meanwhile: the retry is signed with the new one.
    const rotated = await rotateWebhookSecret(webhooks, endpoint.id, testContext());
    clock.advance(secondWaitMs);
    await deliverDue(deliver);
    const hits = received.slice(from);
    assert.equal(hits.length, 3);
    assert.equal(new Set(hits.map((h) => h.headers['webhook-id'])).size, 1, 'one webhook-id across retries');
    const last = hits[2] as Received;
    const headers = { 'webhook-id': String(last.headers['webhook-id']), 'webhook-timestamp': String(last.headers['webhook-timestamp']), 'webhook-signature': String(last.headers['webhook-signature']) };
    assert.doesNotThrow(() => new Webhook(rotated).verify(last.body, headers));
    assert.throws(() => new Webhook(secret).verify(last.body, headers), /signature/i);
    state = await core.store.webhookEndpoints.findById(endpoint.id);
    assert.deepEqual([state?.consecutiveFailures, (await core.store.deliveries.list({ limit: 1 }))[0]?.state], [0, 'delivered']);
  });
});
