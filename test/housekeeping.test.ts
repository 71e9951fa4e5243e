import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { housekeep } from '../src/housekeeping.ts';
import { rejectsWithAuthError } from './support/auth-error.ts';
import { createTestCore, testThrottleRules } from './support/core-deps.ts';
import { createTestTokenDeps } from './support/http-app.ts';

const dayMs = 24 * 3_600_000;

describe('housekeep', () => {
  it('keeps a throttle counter as long as its own rule counts it, even when that is the social login start rule', async () => {
    // The start rule resets after 3 days, longer than every other rule (1 day at most): its
    // counters must survive a housekeeping round 2 days after their last failure.
    const oauthStartIp = { freeFailures: 2, baseDelayMs: 3 * dayMs, maxDelayMs: 3 * dayMs, resetAfterMs: 3 * dayMs };
    const core = await createTestCore({ throttleRules: { ...testThrottleRules, oauthStartIp } });
    const tokens = createTestTokenDeps(core);
    const start = () => core.throttle.reserve([['oauthStartIp', '198.51.100.7']], core.clock.nowMs());
    await start();
    await start();
    await rejectsWithAuthError(start(), 'too_many_requests');

    core.clock.advance(2 * dayMs);
    await housekeep({ store: core.store, deps: core, tokens }, core.clock.nowMs());
    await rejectsWithAuthError(start(), 'too_many_requests');
  });

  it('forgets a counter once no rule needs it any more', async () => {
    const core = await createTestCore();
    const tokens = createTestTokenDeps(core);
    const start = () => core.throttle.reserve([['ip', '198.51.100.8']], core.clock.nowMs());
    for (let i = 0; i < testThrottleRules.ip.freeFailures; i++) await start();
    core.clock.advance(2 * dayMs);
    await housekeep({ store: core.store, deps: core, tokens }, core.clock.nowMs());
    assert.equal(await core.store.throttle.deleteStale(core.clock.nowMs(), 0), 0, 'nothing was left to delete');
  });
});
