import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startTotpEnrolment } from '../../../src/core/otp/start-totp-enrolment.ts';
import { finishPasskeyRegistration, startPasskeyRegistration } from '../../../src/core/passkeys/register-passkey.ts';
import { passkeyChallengeTtlMs } from '../../../src/core/passkeys/passkey-policy.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, testContext, testPassword, testPublicUrl } from '../../support/core-deps.ts';
import { registerSoftPasskey, signedInAccount } from '../../support/passkeys.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

describe('registering a passkey', () => {
  test('stores it under the given name, discoverable and user-verified options, attestation none by default (docs/security.md SEC-177)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    assert.equal(options.attestation, 'none');
    assert.equal(options.rp.id, 'auth.test');
    assert.equal(options.authenticatorSelection?.residentKey, 'required');
    assert.equal(options.authenticatorSelection?.userVerification, 'required');
    assert.equal(Buffer.from(options.user.id, 'base64url').toString('utf8'), current.user.id, 'the user handle is our random user id, no personal data');
    const authenticator = createSoftAuthenticator({ origin: testPublicUrl });
    const passkey = await finishPasskeyRegistration(core, current, { ceremonyToken, name: '  Laptop\n ', response: authenticator.register(options) }, testContext());
    assert.equal(passkey.name, 'Laptop');
    assert.equal(passkey.deviceType, 'singleDevice');
    const [stored] = await core.store.passkeys.listByUser(current.user.id);
    assert.equal(stored?.credentialId, authenticator.credentials[0]?.id);
    const audit = await core.store.audit.list({ limit: 10, userId: current.user.id });
    assert.ok(audit.some((e) => e.type === 'passkey.registered'), 'registration is audited (SEC-179)');
  });

  test('a synced passkey is recorded as multiDevice and backed up', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    await registerSoftPasskey(core, current, createSoftAuthenticator({ origin: testPublicUrl, synced: true }));
    const [stored] = await core.store.passkeys.listByUser(current.user.id);
    assert.equal(stored?.deviceType, 'multiDevice');
    assert.equal(stored?.backedUp, true);
  });

  test('the challenge is single use (docs/security.md SEC-170)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    const authenticator = createSoftAuthenticator({ origin: testPublicUrl });
    await finishPasskeyRegistration(core, current, { ceremonyToken, response: authenticator.register(options) }, testContext());
    await rejectsWithAuthError(finishPasskeyRegistration(core, current, { ceremonyToken, response: authenticator.register(options) }, testContext()), 'passkey_challenge_invalid');
  });

  test('the challenge expires after 5 minutes (docs/security.md SEC-171)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    core.clock.advance(passkeyChallengeTtlMs);
    await rejectsWithAuthError(finishPasskeyRegistration(core, current, { ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(options) }, testContext()), 'passkey_challenge_invalid');
  });

  test('the challenge is bound to the session that asked: another session of the same account is refused (docs/security.md SEC-172)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    const other = { ...current, session: { ...current.session, id: 'another-session-id-000' } };
    await rejectsWithAuthError(finishPasskeyRegistration(core, other, { ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(options) }, testContext()), 'passkey_challenge_invalid');
    assert.deepEqual(await core.store.passkeys.listByUser(current.user.id), []);
  });

  test('an answer from another origin is refused (docs/security.md SEC-174)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    const response = createSoftAuthenticator({ origin: testPublicUrl }).register(options, { origin: 'https://auth.test.evil.example' });
    await rejectsWithAuthError(finishPasskeyRegistration(core, current, { ceremonyToken, response }, testContext()), 'passkey_registration_failed');
  });

  test('a passkey for another RP ID is refused (docs/security.md SEC-173)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    const response = createSoftAuthenticator({ origin: testPublicUrl, rpId: 'evil.example' }).register(options);
    await rejectsWithAuthError(finishPasskeyRegistration(core, current, { ceremonyToken, response }, testContext()), 'passkey_registration_failed');
  });

  test('without user verification it is refused (docs/security.md SEC-175)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    const { ceremonyToken, options } = await startPasskeyRegistration(core, current, testContext());
    const response = createSoftAuthenticator({ origin: testPublicUrl }).register(options, { userVerified: false });
    await rejectsWithAuthError(finishPasskeyRegistration(core, current, { ceremonyToken, response }, testContext()), 'passkey_registration_failed');
  });

  test('a credential id already registered to another account is refused (docs/security.md SEC-178)', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const bob = await signedInAccount(core, 'bob@example.com');
    const credentialId = new Uint8Array(16).fill(42);
    const adaStart = await startPasskeyRegistration(core, ada, testContext());
    await finishPasskeyRegistration(core, ada, { ceremonyToken: adaStart.ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(adaStart.options, { credentialId }) }, testContext());
    const bobStart = await startPasskeyRegistration(core, bob, testContext());
    const response = createSoftAuthenticator({ origin: testPublicUrl }).register(bobStart.options, { credentialId });
    await rejectsWithAuthError(finishPasskeyRegistration(core, bob, { ceremonyToken: bobStart.ceremonyToken, response }, testContext()), 'passkey_already_registered');
    assert.deepEqual(await core.store.passkeys.listByUser(bob.user.id), []);
    assert.equal((await core.store.passkeys.listByUser(ada.user.id)).length, 1);
  });
});

describe('registering a passkey is a sensitive change', () => {
  test('it needs a login or re-authentication within the window (docs/security.md SEC-187)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    core.clock.advance(core.sessionPolicy.reauthWindowMs + 1);
    await rejectsWithAuthError(startPasskeyRegistration(core, current, testContext()), 'reauthentication_required');
    assert.deepEqual(await core.store.passkeys.listByUser(current.user.id), []);
  });

  test('on an account that has a passkey, a password-only session adds no passkey and no authenticator (a phished password); after the passkey or an emailed code it may (docs/security.md SEC-168)', async () => {
    const core = await createTestCore();
    const current = await signedInAccount(core, 'ada@example.com');
    // The first passkey: the account had no second factor, the recent password login is enough.
    assert.deepEqual(current.session.amr, ['pwd']);
    await registerSoftPasskey(core, current);
    // Now it has one: the same password session (or a password re-authentication) adds nothing more.
    await rejectsWithAuthError(startPasskeyRegistration(core, current, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(startTotpEnrolment(core, current, undefined, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(startTotpEnrolment(core, current, { password: testPassword }, testContext()), 'reauthentication_required');
    assert.equal((await core.store.passkeys.listByUser(current.user.id)).length, 1);
    assert.equal(await core.store.totp.find(current.user.id), null);
    // A session that used the passkey (its login, or a re-authentication with it), or proved the mailbox, may.
    for (const amr of [['hwk', 'user'], ['hwk', 'mfa', 'user'], ['otp', 'pwd']]) {
      const proved = { ...current, session: { ...current.session, amr } };
      const { options } = await startPasskeyRegistration(core, proved, testContext());
      assert.equal(options.excludeCredentials?.length, 1, amr.join(' '));
    }
    // Outside the window, the old rule still holds first (SEC-187).
    core.clock.advance(core.sessionPolicy.reauthWindowMs + 1);
    await rejectsWithAuthError(startPasskeyRegistration(core, { ...current, session: { ...current.session, amr: ['hwk', 'mfa', 'user'] } }, testContext()), 'reauthentication_required');
  });
});
