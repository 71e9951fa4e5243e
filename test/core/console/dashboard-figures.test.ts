import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardFigures } from '../../../src/core/console/dashboard-figures.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { createTestCore, seedSession, seedUser, testContext, testPassword } from '../../support/core-deps.ts';

describe('dashboardFigures', () => {
  it('counts users, active sessions, logins and failures of the last 24 hours, and the accounts locked now', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    await seedSession(core, alice.id);
    await logIn(core, { email: 'bob@example.com', password: testPassword }, testContext());
    // Old activity: a day and more ago, it is out of the 24 hours.
    await core.store.audit.append({ id: 'old', atMs: core.clock.nowMs() - 25 * 3_600_000, type: 'login.succeeded', userId: bob.id, email: null, ip: 'x', userAgent: '', detail: null, actorId: null });
    // Bob's account: past its free failures, so it waits now.
    for (let i = 0; i < 6; i++) await logIn(core, { email: 'bob@example.com', password: 'not the password at all' }, testContext(`198.51.100.${i + 1}`)).catch(() => undefined);
    const f = await dashboardFigures(core);
    assert.equal(f.users, 2);
    assert.equal(f.activeSessions, 2);
    assert.equal(f.loginsSucceeded, 1);
    assert.ok(f.loginsFailed >= 5, String(f.loginsFailed));
    assert.equal(f.lockedAccounts, 1);
    assert.deepEqual(f.deliveries.webhook, { pending: 0, delivered: 0, dead: 0 });
    core.clock.advance(2 * 86_400_000);
    const later = await dashboardFigures(core);
    assert.equal(later.loginsFailed, 0);
    assert.equal(later.lockedAccounts, 0);
  });
});
