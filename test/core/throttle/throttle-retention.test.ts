import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttleRetentionMs } from '../../../src/core/throttle/throttle-retention.ts';
import { testAccountSecurityPolicy, testThrottleRules } from '../../support/core-deps.ts';

const dayMs = 24 * 3_600_000;

describe('throttleRetentionMs', () => {
  it('is the longest reset of every rule, the social login start rule included', () => {
    const rules = { ...testThrottleRules, oauthStartIp: { ...testThrottleRules.oauthStartIp, resetAfterMs: 3 * dayMs } };
    assert.equal(throttleRetentionMs(rules, testAccountSecurityPolicy), 3 * dayMs);
  });

  it('covers the fixed rules too: the daily mail limit keeps counters a day even when every configured rule resets sooner', () => {
    const short = { freeFailures: 1, baseDelayMs: 1000, maxDelayMs: 1000, resetAfterMs: 60_000 };
    const rules = { account: short, ip: short, signupIp: short, oauthStartIp: short, authorizeIp: short };
    assert.equal(throttleRetentionMs(rules, testAccountSecurityPolicy), dayMs);
  });
});
