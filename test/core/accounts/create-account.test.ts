import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAccount } from '../../../src/core/accounts/create-account.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, testContext, testPassword } from '../../support/core-deps.ts';

describe('createAccount (operator / CLI)', () => {
  it('creates a user with a normalized email and an argon2id hash, and no session', async () => {
    const core = await createTestCore();
    const user = await createAccount(core, { email: ' Bob@Example.org', password: testPassword }, testContext());
    assert.equal(user.email, 'bob@example.org');
    assert.deepEqual(await core.hasher.verify(user.passwordHash ?? '', testPassword), { matches: true, needsRehash: false });
    assert.deepEqual(await core.store.users.findById(user.id), user);
    assert.deepEqual(await core.store.sessions.listByUser(user.id), []);
    assert.equal((await core.store.audit.list({ limit: 10 }))[0]?.type, 'user.signed_up');
  });

  it('hashes the NFKC form, so the same password typed another way logs in', async () => {
    const core = await createTestCore();
    const user = await createAccount(core, { email: 'bob@example.org', password: 'ﬁne ﬁne ﬁne ﬁne ﬁne' }, testContext());
    assert.equal((await core.hasher.verify(user.passwordHash ?? '', 'fine fine fine fine fine')).matches, true);
  });

  it('refuses a taken email and an invalid one', async () => {
    const core = await createTestCore();
    await seedUser(core, 'bob@example.org');
    await rejectsWithAuthError(createAccount(core, { email: 'BOB@example.org', password: testPassword }, testContext()), 'email_taken');
    await rejectsWithAuthError(createAccount(core, { email: 'bob', password: testPassword }, testContext()), 'invalid_email');
    assert.equal((await core.store.users.list({ limit: 10 })).length, 1);
    assert.deepEqual(await core.store.audit.list({ limit: 10 }), []);
  });

  it('applies the password policy', async () => {
    const core = await createTestCore();
    await rejectsWithAuthError(createAccount(core, { email: 'bob@example.org', password: 'short' }, testContext()), 'password_too_short');
  });
});
