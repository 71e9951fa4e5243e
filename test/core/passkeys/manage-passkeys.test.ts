import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { unlinkIdentity } from '../../../src/core/oauth-client/unlink-identity.ts';
import { listPasskeys, removePasskey, renamePasskey } from '../../../src/core/passkeys/manage-passkeys.ts';
import { openPostgresStore } from '../../../src/storage/sql/postgres.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, testContext, testPassword } from '../../support/core-deps.ts';
import { createTestDatabase } from '../../support/postgres.ts';
import { registerSoftPasskey, signedInAccount } from '../../support/passkeys.ts';

describe('managing passkeys', () => {
  test('rename and remove only the owner’s passkeys', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const bob = await signedInAccount(core, 'bob@example.com');
    const { passkeyId } = await registerSoftPasskey(core, ada);
    await renamePasskey(core, ada.user, passkeyId, 'Phone', testContext());
    assert.equal((await listPasskeys(core, ada.user))[0]?.name, 'Phone');
    await rejectsWithAuthError(renamePasskey(core, bob.user, passkeyId, 'Mine', testContext()), 'passkey_not_found');
    await rejectsWithAuthError(removePasskey(core, bob, passkeyId, undefined, testContext()), 'passkey_not_found');
    await removePasskey(core, ada, passkeyId, undefined, testContext());
    assert.deepEqual(await listPasskeys(core, ada.user), []);
  });

  test('the last way to log in cannot be removed; with a second passkey it can (docs/security.md SEC-181)', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    await core.store.transaction(async (tx) => {
      // A passkey-only account: no password, no linked provider.
      await tx.users.delete(ada.user.id);
      await tx.users.create({ ...ada.user, passwordHash: null });
      await tx.sessions.create(ada.session);
    });
    const current = { ...ada, user: { ...ada.user, passwordHash: null } };
    const first = await registerSoftPasskey(core, current);
    await rejectsWithAuthError(removePasskey(core, current, first.passkeyId, undefined, testContext()), 'passkey_last_login_method');
    const second = await registerSoftPasskey(core, current);
    await removePasskey(core, current, first.passkeyId, undefined, testContext());
    await rejectsWithAuthError(removePasskey(core, current, second.passkeyId, undefined, testContext()), 'passkey_last_login_method');
    assert.equal((await listPasskeys(core, current.user)).length, 1);
  });

  test('adding and removing a passkey each mail the owner a security notice, naming it and the device (docs/security.md SEC-164)', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const before = core.outbox.sent.length;
    const { passkeyId } = await registerSoftPasskey(core, ada, undefined, 'Thief key');
    const added = core.outbox.lastTo('ada@example.com');
    assert.equal(added?.kind, 'security_notice');
    assert.match(added?.subject ?? '', /^A passkey was added to your account/);
    assert.match(added?.text ?? '', /"Thief key" was added .* also after a password change/s);
    assert.match(added?.text ?? '', /at IP address /);
    await removePasskey(core, ada, passkeyId, undefined, testContext());
    const removed = core.outbox.lastTo('ada@example.com');
    assert.match(removed?.subject ?? '', /^A passkey was removed from your account/);
    assert.match(removed?.text ?? '', /"Thief key" was removed/);
    assert.equal(core.outbox.sent.length, before + 2);
  });

  test('on PostgreSQL, two removals at once (two passkeys, or a passkey and a linked provider) never leave a passkey-only account without a way in (docs/security.md SEC-165)', async () => {
    const store = await openPostgresStore(await createTestDatabase(), { migrate: 'on-open' });
    try {
      const core = await createTestCore({ store });
      // Repeated: before the account's row was locked, both removals went through in about half the rounds.
      for (let round = 0; round < 8; round++) {
        const ada = await signedInAccount(core, `ada${String(round)}@example.com`);
        await store.users.updatePasswordHash(ada.user.id, '', 0);
        const current = { ...ada, user: { ...ada.user, passwordHash: null } };
        const first = await registerSoftPasskey(core, current);
        const second = await registerSoftPasskey(core, current);
        const twoPasskeys = await Promise.allSettled([removePasskey(core, current, first.passkeyId, undefined, testContext()), removePasskey(core, current, second.passkeyId, undefined, testContext())]);
        assert.equal(twoPasskeys.filter((r) => r.status === 'fulfilled').length, 1, `round ${String(round)}: two passkeys`);
        const [kept] = await listPasskeys(core, current.user);
        await store.oauthIdentities.create({ id: `i${String(round)}`, userId: ada.user.id, provider: 'demo', issuer: 'https://idp.example.com', subject: `sub-${String(round)}`, email: null, createdAtMs: 0, lastLoginAtMs: 0, tokensJwe: null });
        const passkeyAndProvider = await Promise.allSettled([removePasskey(core, current, kept?.id ?? '', undefined, testContext()), unlinkIdentity(core, current, `i${String(round)}`, undefined, testContext())]);
        assert.equal(passkeyAndProvider.filter((r) => r.status === 'fulfilled').length, 1, `round ${String(round)}: a passkey and a provider`);
        assert.equal((await listPasskeys(core, current.user)).length + (await store.oauthIdentities.listByUser(ada.user.id)).length, 1);
      }
    } finally {
      await store.close();
    }
  });

  test('a session that has not authenticated recently removes no passkey and unlinks no provider; the password sent along, or a re-authentication, does (docs/security.md SEC-227)', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const { passkeyId } = await registerSoftPasskey(core, ada);
    await core.store.oauthIdentities.create({ id: 'i1', userId: ada.user.id, provider: 'demo', issuer: 'https://idp.example.com', subject: 'sub-1', email: null, createdAtMs: 0, lastLoginAtMs: 0, tokensJwe: null });
    const sentBefore = core.outbox.sent.length;
    // A stolen cookie, used after its owner's login window: nothing goes, nothing is mailed.
    core.clock.advance(core.sessionPolicy.reauthWindowMs + 1);
    await rejectsWithAuthError(removePasskey(core, ada, passkeyId, undefined, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(unlinkIdentity(core, ada, 'i1', undefined, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(removePasskey(core, ada, passkeyId, { password: 'not the password at all' }, testContext()), 'wrong_password');
    assert.equal((await listPasskeys(core, ada.user)).length, 1);
    assert.equal((await core.store.oauthIdentities.listByUser(ada.user.id)).length, 1);
    assert.equal(core.outbox.sent.length, sentBefore);
    assert.equal((await core.store.audit.list({ limit: 10 })).some((e) => e.type === 'passkey.removed' || e.type === 'oauth.identity_unlinked'), false);
    // The password sent along counts for the change; so does a re-authentication (its authTimeMs).
    await removePasskey(core, ada, passkeyId, { password: testPassword }, testContext());
    const reauthenticated = { ...ada, session: { ...ada.session, authTimeMs: core.clock.nowMs() } };
    await unlinkIdentity(core, reauthenticated, 'i1', undefined, testContext());
    assert.deepEqual(await listPasskeys(core, ada.user), []);
    assert.deepEqual(await core.store.oauthIdentities.listByUser(ada.user.id), []);
  });
});
