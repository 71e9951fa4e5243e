import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { addWebhookEndpoint } from '../../../src/core/webhooks/add-webhook-endpoint.ts';
import { removeWebhookEndpoint } from '../../../src/core/webhooks/remove-webhook-endpoint.ts';
import { rotateWebhookSecret } from '../../../src/core/webhooks/rotate-webhook-secret.ts';
import { openWebhookSecret } from '../../../src/core/webhooks/webhook-secret.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createManualClock, testContext } from '../../support/core-deps.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';

function setUp() {
  const store = createMemoryStore();
  return { store, clock: createManualClock(), random: systemRandom, webhookKeys: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] };
}

describe('addWebhookEndpoint', () => {
  it('stores the signing secret only encrypted, bound to its endpoint, and returns it once (SEC-291)', async () => {
    const deps = setUp();
    const { endpoint, secret } = await addWebhookEndpoint(deps, { url: 'https://hooks.example.com/a', events: ['user.created', 'user.created', 'login.failed'] }, { ...testContext(), actorId: 'op-1' });
    const stored = await deps.store.webhookEndpoints.findById(endpoint.id);
    assert.deepEqual(stored?.events, ['user.created', 'login.failed']);
    assert.ok(stored !== null && !stored.secretJwe.includes(secret.slice(6)) && !JSON.stringify(stored).includes(secret.slice(6)), 'the secret is not stored in the clear');
    assert.equal(await openWebhookSecret(stored.secretJwe, endpoint.id, deps.webhookKeys), secret);
    // The ciphertext copied onto another endpoint does not open there, nor under another server secret.
    assert.equal(await openWebhookSecret(stored.secretJwe, 'ep_other', deps.webhookKeys), null);
    assert.equal(await openWebhookSecret(stored.secretJwe, endpoint.id, [new Uint8Array(32).fill(9)]), null);
    const [audit] = await deps.store.audit.list({ limit: 1 });
    assert.deepEqual([audit?.type, audit?.actorId], ['webhook.endpoint_added', 'op-1']);
    assert.ok(!JSON.stringify(audit).includes(secret.slice(6)), 'nor is it audited');
  });

  it('refuses URLs that are not https (http only for localhost) or carry credentials, and unknown events (SEC-292)', async () => {
    const deps = setUp();
    for (const url of ['http://hooks.example.com/', 'ftp://hooks.example.com/', 'https://user:pw@hooks.example.com/', 'not a url', '/relative', `https://hooks.example.com/${'a'.repeat(2048)}`]) {
      await rejectsWithAuthError(addWebhookEndpoint(deps, { url, events: ['user.created'] }, testContext()), 'invalid_webhook_url');
    }
    await rejectsWithAuthError(addWebhookEndpoint(deps, { url: 'https://hooks.example.com/', events: [] }, testContext()), 'invalid_webhook_event');
    await rejectsWithAuthError(addWebhookEndpoint(deps, { url: 'https://hooks.example.com/', events: ['user.created', 'user.hacked'] }, testContext()), 'invalid_webhook_event');
    assert.deepEqual(await deps.store.webhookEndpoints.list(), []);
    const local = await addWebhookEndpoint(deps, { url: 'http://localhost:8080/hooks', events: ['user.created'] }, testContext());
    assert.equal(local.endpoint.url, 'http://localhost:8080/hooks');
  });

  it('rotate-secret replaces the secret; remove deletes the endpoint; both refuse an unknown id', async () => {
    const deps = setUp();
    const { endpoint, secret } = await addWebhookEndpoint(deps, { url: 'https://hooks.example.com/', events: ['user.created'] }, testContext());
    const rotated = await rotateWebhookSecret(deps, endpoint.id, testContext());
    assert.notEqual(rotated, secret);
    const stored = await deps.store.webhookEndpoints.findById(endpoint.id);
    assert.equal(await openWebhookSecret(stored?.secretJwe ?? '', endpoint.id, deps.webhookKeys), rotated);
    await rejectsWithAuthError(rotateWebhookSecret(deps, 'ep_nope', testContext()), 'webhook_endpoint_not_found');
    await removeWebhookEndpoint(deps, endpoint.id, testContext());
    assert.equal(await deps.store.webhookEndpoints.findById(endpoint.id), null);
    await rejectsWithAuthError(removeWebhookEndpoint(deps, endpoint.id, testContext()), 'webhook_endpoint_not_found');
  });
});
