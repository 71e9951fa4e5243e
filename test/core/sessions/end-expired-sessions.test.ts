// Sessions that time out end like any other: the feed learns the sid, session.ended carries the
// cause `expired`, and housekeeping is what ends them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { endExpiredSessions } from '../../../src/core/sessions/end-expired-sessions.ts';
import { addWebhookEndpoint } from '../../../src/core/webhooks/add-webhook-endpoint.ts';
import { withWebhookEvents } from '../../../src/core/webhooks/with-webhook-events.ts';
import { housekeep } from '../../../src/housekeeping.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { createManualClock, createTestCore, seedSession, seedUser, testContext } from '../../support/core-deps.ts';
import { createTestTokenDeps } from '../../support/http-app.ts';

describe('endExpiredSessions', () => {
  it('ends idle sessions through the feed with the cause expired, and keeps the live one', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'idle@example.com');
    const idle = await seedSession(core, user.id);
    core.clock.advance(core.sessionPolicy.idleTimeoutMs - 60_000);
    const live = await seedSession(core, user.id);
    core.clock.advance(60_000);

    assert.equal(await endExpiredSessions(core, core.store, core.clock.nowMs()), 1);
    assert.equal(await core.store.sessions.findWithUser(idle.session.id), null);
    assert.notEqual(await core.store.sessions.findWithUser(live.session.id), null);
    assert.equal(await core.store.revocations.sessionEndReason(idle.session.id), 'expired', 'every verifier learns the sid');
    assert.equal(await endExpiredSessions(core, core.store, core.clock.nowMs()), 0);
  });

  it('housekeeping sends session.ended with the cause expired to a subscribed webhook endpoint', async () => {
    const clock = createManualClock();
    const core = await createTestCore({ clock, store: withWebhookEvents(createMemoryStore(), systemRandom, clock) });
    await addWebhookEndpoint({ store: core.store, clock: core.clock, random: core.random, webhookKeys: [new Uint8Array(32).fill(9)] }, { url: 'https://hooks.example.com/ended', events: ['session.ended'] }, testContext());
    const user = await seedUser(core, 'timed-out@example.com');
    const { session } = await seedSession(core, user.id);
    core.clock.advance(core.sessionPolicy.idleTimeoutMs);

    await housekeep({ store: core.store, deps: core, tokens: createTestTokenDeps(core) }, core.clock.nowMs());
    const events = (await core.store.deliveries.list({ limit: 10, kind: 'webhook' })).map((d) => JSON.parse(d.payload) as { type: string; data: Record<string, unknown> });
    assert.deepEqual(
      events.map((e) => [e.type, e.data['session_id'], e.data['user_id'], e.data['cause']]),
      [['session.ended', session.id, user.id, 'expired']],
    );
  });
});
