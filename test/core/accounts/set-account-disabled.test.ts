import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disableAccount, enableAccount } from '../../../src/core/accounts/set-account-disabled.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, seedUser, testContext, testPassword } from '../../support/core-deps.ts';

describe('disableAccount / enableAccount', () => {
  it('disabling kills every session at once and blocks login (SEC-14)', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    const sessions = [await seedSession(core, alice.id), await seedSession(core, alice.id)];
    const bobs = await seedSession(core, bob.id);

    core.clock.advance(1_000);
    assert.equal(await disableAccount(core, alice.id, testContext()), true);

    for (const s of sessions) assert.equal(await validateSession(core, s.token), null);
    assert.deepEqual(await core.store.sessions.listByUser(alice.id), [], 'the rows are gone, not just refused');
    assert.notEqual(await validateSession(core, bobs.token), null);
    assert.equal((await core.store.users.findById(alice.id))?.disabledAtMs, core.clock.nowMs());
    await rejectsWithAuthError(logIn(core, { email: 'alice@example.com', password: testPassword }, testContext()), 'account_disabled');
    const event = (await core.store.audit.list({ limit: 10, userId: alice.id })).find((e) => e.type === 'account.disabled');
    assert.equal(event?.detail, 'ended 2 sessions');
  });

  it('enabling lets the user log in again, without reviving old sessions', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const old = await seedSession(core, alice.id);
    await disableAccount(core, alice.id, testContext());
    assert.equal(await enableAccount(core, alice.id, testContext()), true);

    assert.equal((await core.store.users.findById(alice.id))?.disabledAtMs, null);
    assert.equal(await validateSession(core, old.token), null);
    const started = await logIn(core, { email: 'alice@example.com', password: testPassword }, testContext());
    assert.notEqual(await validateSession(core, started.token), null);
    assert.equal((await core.store.audit.list({ limit: 10, userId: alice.id })).some((e) => e.type === 'account.enabled'), true);
  });

  it('returns false for an unknown user and records nothing', async () => {
    const core = await createTestCore();
    assert.equal(await disableAccount(core, 'no-such-user', testContext()), false);
    assert.equal(await enableAccount(core, 'no-such-user', testContext()), false);
    assert.deepEqual(await core.store.audit.list({ limit: 10 }), []);
  });
});
