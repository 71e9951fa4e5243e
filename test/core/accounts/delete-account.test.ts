import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteAccount, deleteAccountAsOperator } from '../../../src/core/accounts/delete-account.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, seedUser, testContext, testPassword } from '../../support/core-deps.ts';

describe('deleteAccount', () => {
  it('needs the password: a wrong one is wrong_password and nothing is deleted (SEC-68)', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const here = await seedSession(core, alice.id);
    const current = await validateSession(core, here.token);
    assert.ok(current !== null);

    await rejectsWithAuthError(deleteAccount(core, current, { password: 'not my password at all' }, testContext()), 'wrong_password');
    await rejectsWithAuthError(deleteAccount(core, current, { password: '' }, testContext()), 'wrong_password');
    assert.notEqual(await core.store.users.findById(alice.id), null);
    assert.notEqual(await validateSession(core, here.token), null);
  });

  it('removes the user and every session, and the email no longer logs in', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const bob = await seedUser(core, 'bob@example.com');
    const here = await seedSession(core, alice.id);
    const elsewhere = await seedSession(core, alice.id);
    const bobs = await seedSession(core, bob.id);
    const current = await validateSession(core, here.token);
    assert.ok(current !== null);

    await deleteAccount(core, current, { password: testPassword }, testContext());

    assert.equal(await core.store.users.findById(alice.id), null);
    assert.equal(await core.store.users.findByEmail('alice@example.com'), null);
    assert.deepEqual(await core.store.sessions.listByUser(alice.id), []);
    assert.equal(await validateSession(core, here.token), null);
    assert.equal(await validateSession(core, elsewhere.token), null);
    assert.notEqual(await validateSession(core, bobs.token), null, 'other users are untouched');
    await rejectsWithAuthError(logIn(core, { email: 'alice@example.com', password: testPassword }, testContext()), 'invalid_credentials');
    const events = await core.store.audit.list({ limit: 10, userId: alice.id });
    assert.ok(events.some((e) => e.type === 'account.deleted'));
  });
});

describe('deleteAccountAsOperator', () => {
  it('deletes without the password and reports whether the user existed', async () => {
    const core = await createTestCore();
    const alice = await seedUser(core, 'alice@example.com');
    const here = await seedSession(core, alice.id);
    assert.equal(await deleteAccountAsOperator(core, alice.id, testContext()), true);
    assert.equal(await core.store.users.findById(alice.id), null);
    assert.equal(await validateSession(core, here.token), null);
    assert.equal(await deleteAccountAsOperator(core, alice.id, testContext()), false);
  });
});
