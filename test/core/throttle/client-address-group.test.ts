// docs/security.md SEC-111: per-IP limits count an IPv6 /64 as one client, and an IPv4-mapped
// IPv6 address as its IPv4 address.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAddressGroup } from '../../../src/core/throttle/client-address-group.ts';
import { createThrottle } from '../../../src/core/throttle/throttle.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { testThrottleRules } from '../../support/core-deps.ts';

describe('clientAddressGroup (SEC-111)', () => {
  it('groups IPv6 by /64, maps IPv4-mapped addresses to IPv4, and leaves IPv4 alone', () => {
    assert.equal(clientAddressGroup('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientAddressGroup('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientAddressGroup('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientAddressGroup('::1'), '0:0:0:0::/64');
    assert.equal(clientAddressGroup('[2001:db8:1:2::9]'), '2001:db8:1:2::/64');
    assert.equal(clientAddressGroup('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientAddressGroup('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(clientAddressGroup('::ffff:c000:201'), '192.0.2.1');
    assert.equal(clientAddressGroup('192.0.2.1'), '192.0.2.1');
    assert.equal(clientAddressGroup('not an address'), 'not an address');
    assert.notEqual(clientAddressGroup('2001:db8:1:2::1'), clientAddressGroup('2001:db8:1:3::1'));
  });

  it('a client rotating through its /64 hits the same per-IP limit', async () => {
    const store = createMemoryStore();
    const throttle = createThrottle(store.throttle, testThrottleRules, new Uint8Array(32));
    const free = testThrottleRules.ip.freeFailures;
    for (let i = 0; i < free; i++) await throttle.reserve([['ip', `2001:db8:7:7::${(i + 1).toString(16)}`]], 0);
    await assert.rejects(throttle.reserve([['ip', '2001:db8:7:7:ffff::abcd']], 0), (e: { code?: string }) => e.code === 'too_many_requests');
    await throttle.reserve([['ip', '2001:db8:7:8::1']], 0);
    for (let i = 0; i < testThrottleRules.signupIp.freeFailures; i++) await throttle.reserve([['signupIp', i % 2 === 0 ? '198.51.100.9' : '::ffff:198.51.100.9']], 0);
    await assert.rejects(throttle.reserve([['signupIp', '::ffff:198.51.100.9']], 0), (e: { code?: string }) => e.code === 'too_many_requests');
  });
});
