import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { auditEvent } from '../../../src/core/audit/audit-event.ts';
import { createAccount } from '../../../src/core/accounts/create-account.ts';
import { disableAccount } from '../../../src/core/accounts/set-account-disabled.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import type { Store } from '../../../src/core/ports.ts';
import { logOut } from '../../../src/core/sessions/log-out.ts';
import { addWebhookEndpoint } from '../../../src/core/webhooks/add-webhook-endpoint.ts';
import { removeWebhookEndpoint } from '../../../src/core/webhooks/remove-webhook-endpoint.ts';
import type { WebhookDeps } from '../../../src/core/webhooks/webhook-deps.ts';
import { endpointListTtlMs, withWebhookEvents } from '../../../src/core/webhooks/with-webhook-events.ts';
import { openSqliteStore } from '../../../src/storage/sql/sqlite.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createManualClock, createTestCore, seedSession, seedUser, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

const keys = [new Uint8Array(32).fill(9)];

async function setUp(): Promise<{ core: TestCore; webhooks: WebhookDeps; events: () => Promise<{ type: string; data: Record<string, unknown>; endpoint: string | null }[]> }> {
  const clock = createManualClock();
  const core = await createTestCore({ clock, store: withWebhookEvents(createMemoryStore(), systemRandom, clock) });
  const webhooks: WebhookDeps = { store: core.store, clock: core.clock, random: core.random, webhookKeys: keys };
  const events = async () =>
    (await core.store.deliveries.list({ limit: 100, kind: 'webhook' }))
      .sort((a, b) => a.createdAtMs - b.createdAtMs || (a.subject ?? '').localeCompare(b.subject ?? ''))
      .map((d) => ({ ...(JSON.parse(d.payload) as { type: string; data: Record<string, unknown> }), endpoint: d.subject }));
  return { core, webhooks, events };
}

// Hang guard only: a delivery written outside the caller's transaction would wait on it forever.
describe('withWebhookEvents', { timeout: 60_000 }, () => {
  it('writes a delivery for every subscribed endpoint beside the audit entry of a real operation, with no secret in any body (SEC-293)', async () => {
    const { core, webhooks, events } = await setUp();
    const all = await addWebhookEndpoint(webhooks, { url: 'https://hooks.example.com/all', events: ['user.created', 'login.succeeded', 'login.failed', 'session.ended', 'user.disabled'] }, testContext());
    const some = await addWebhookEndpoint(webhooks, { url: 'https://hooks.example.com/some', events: ['login.failed'] }, testContext());

    // A millisecond apart, so the list (newest first) has one order.
    await createAccount(core, { email: 'ada@example.com', password: testPassword }, testContext());
    core.clock.advance(1);
    const started = await logIn(core, { email: 'ada@example.com', password: testPassword }, testContext());
    const user = started.user;
    core.clock.advance(1);
    await assert.rejects(logIn(core, { email: 'ada@example.com', password: 'wrong password, quite long' }, testContext()));
    core.clock.advance(1);
    await logOut(core, { user, session: started.session }, testContext());
    core.clock.advance(1);
    await disableAccount(core, user.id, testContext());

    const seen = await events();
    const name = (id: string | null) => (id === all.endpoint.id ? 'all' : id === some.endpoint.id ? 'some' : id);
    assert.deepEqual(
      seen.map((e) => [e.type, name(e.endpoint)]).sort((a, b) => seen.findIndex((e) => e.type === a[0]) - seen.findIndex((e) => e.type === b[0]) || String(a[1]).localeCompare(String(b[1]))),
      [
        ['user.created', 'all'],
        ['login.succeeded', 'all'],
        ['login.failed', 'all'],
        ['login.failed', 'some'],
        ['session.ended', 'all'],
        ['user.disabled', 'all'],
      ],
    );
    assert.equal(seen[1]?.data.session_id, started.session.id);
    assert.equal(seen[1]?.data.user_id, user.id);
    assert.equal(seen.find((e) => e.type === 'login.failed')?.data.reason, 'wrong_password');
    assert.deepEqual(seen.find((e) => e.type === 'session.ended')?.data, { session_id: started.session.id, user_id: user.id, cause: 'logout' });
    // Nothing secret in any body: no password, no hash, no session secret.
    for (const d of await core.store.deliveries.list({ limit: 100 })) assert.doesNotMatch(d.payload, /argon2|correct horse|wrong password/);
  });

  it('session.ended comes for every session a bulk end closes, with its cause', async () => {
    const { core, webhooks, events } = await setUp();
    await addWebhookEndpoint(webhooks, { url: 'https://hooks.example.com/s', events: ['session.ended'] }, testContext());
    const bob = await seedUser(core, 'bob@example.com');
    const one = await seedSession(core, bob.id);
    const two = await seedSession(core, bob.id);
    await disableAccount(core, bob.id, testContext());
    const seen = await events();
    assert.deepEqual(seen.map((e) => [e.data.session_id, e.data.user_id, e.data.cause]).sort(), [
      [one.session.id, bob.id, 'account_disabled'],
      [two.session.id, bob.id, 'account_disabled'],
    ].sort());
  });

  it('a rolled-back operation notifies nothing; a committed one whose caller had no transaction is atomic too (SEC-294)', async () => {
    const { core, webhooks, events } = await setUp();
    await addWebhookEndpoint(webhooks, { url: 'https://hooks.example.com/x', events: ['user.deleted', 'login.failed'] }, testContext());
    await assert.rejects(
      core.store.transaction(async (tx: Store) => {
        await tx.audit.append(auditEvent(core, 'account.deleted', testContext(), { userId: 'u1' }));
        throw new Error('failed after the audit');
      }),
    );
    assert.deepEqual(await events(), []);
    // Outside a transaction: the audit row and its delivery are written in one.
    await core.store.audit.append(auditEvent(core, 'login.failed', testContext(), { email: 'x@example.com', detail: 'unknown_email' }));
    assert.deepEqual((await events()).map((e) => e.type), ['login.failed']);
    assert.equal((await core.store.audit.list({ limit: 10 })).filter((e) => e.type === 'login.failed').length, 1);
  });

  it('writes nothing when no endpoint listens, and keeps unmapped audit entries as they were', async () => {
    const { core, events } = await setUp();
    await createAccount(core, { email: 'carol@example.com', password: testPassword }, testContext());
    await core.store.audit.append(auditEvent(core, 'reauth.succeeded', testContext(), { userId: 'u1' }));
    assert.deepEqual(await events(), []);
    assert.ok((await core.store.audit.list({ limit: 10 })).some((e) => e.type === 'reauth.succeeded'));
  });

  it('an endpoint added or removed through this store gets the very next event, or no longer does; one rolled back never gets any', async () => {
    const { core, webhooks, events } = await setUp();
    const failed = () => core.store.audit.append(auditEvent(core, 'login.failed', testContext(), { email: 'x@example.com', detail: 'unknown_email' }));
    // Read (and kept) while no endpoint exists.
    await failed();
    const added = await addWebhookEndpoint(webhooks, { url: 'https://hooks.example.com/new', events: ['login.failed'] }, testContext());
    await failed();
    assert.deepEqual((await events()).map((e) => e.endpoint), [added.endpoint.id], 'no clock move: the write cleared the list');
    // An endpoint created in a transaction that rolls back: its own transaction sees it, nobody after does.
    await assert.rejects(
      core.store.transaction(async (tx) => {
        await tx.webhookEndpoints.create({ ...added.endpoint, id: 'rolled-back', url: 'https://hooks.example.com/gone' });
        await tx.audit.append(auditEvent(core, 'login.failed', testContext(), { email: 'y@example.com', detail: 'unknown_email' }));
        throw new Error('rolled back');
      }),
    );
    await failed();
    assert.deepEqual((await events()).map((e) => e.endpoint), [added.endpoint.id, added.endpoint.id]);
    await removeWebhookEndpoint(webhooks, added.endpoint.id, testContext());
    await failed();
    assert.equal((await events()).length, 2, 'removed: no delivery for the next event');
  });

  it('an endpoint added by another process on the same SQLite file (the CLI, another instance) gets events within endpointListTtlMs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-webhook-list-'));
    const clock = createManualClock();
    const server = withWebhookEvents(await openSqliteStore(join(dir, 'gatehouse.db'), { migrate: 'on-open' }), systemRandom, clock);
    const cli = withWebhookEvents(await openSqliteStore(join(dir, 'gatehouse.db'), { migrate: 'never' }), systemRandom, clock);
    try {
      const failed = () => server.audit.append(auditEvent({ clock, random: systemRandom }, 'login.failed', testContext(), { email: 'x@example.com', detail: 'unknown_email' }));
      await failed();
      const added = await addWebhookEndpoint({ store: cli, clock, random: systemRandom, webhookKeys: keys }, { url: 'https://hooks.example.com/cli', events: ['login.failed'] }, testContext());
      clock.advance(endpointListTtlMs);
      await failed();
      assert.deepEqual((await server.deliveries.list({ limit: 10, kind: 'webhook' })).map((d) => d.subject), [added.endpoint.id]);
    } finally {
      await server.close();
      await cli.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
