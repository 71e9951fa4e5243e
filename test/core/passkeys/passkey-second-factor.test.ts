import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { issuePendingLogin } from '../../../src/core/credentials/pending-login.ts';
import { completePasskeySecondFactor, startPasskeySecondFactor } from '../../../src/core/passkeys/passkey-second-factor.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, testContext, testPublicUrl } from '../../support/core-deps.ts';
import { registerSoftPasskey, signedInAccount } from '../../support/passkeys.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

describe('a passkey as the second step of a login', () => {
  test('options list only the account’s passkeys; the answer turns the pending login into a session with amr mfa', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const { authenticator } = await registerSoftPasskey(core, ada);
    const pendingToken = await issuePendingLogin(core, ada.user, { factors: ['password'] });
    const { ceremonyToken, options } = await startPasskeySecondFactor(core, pendingToken);
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [authenticator.credentials[0]?.id]);
    // Presence is enough here: the password was the other factor.
    const done = await completePasskeySecondFactor(core, { pendingToken, ceremonyToken, response: authenticator.assert(options, { userVerified: false }) }, testContext());
    assert.equal(done.user.id, ada.user.id);
    assert.deepEqual(done.amr, ['hwk', 'mfa', 'pwd', 'user'], 'the password and the passkey');
    assert.notEqual(await validateSession(core, done.token), null);
  });

  test('it also completes the second step after an emailed code or a social login, beside the first step’s amr', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const { authenticator } = await registerSoftPasskey(core, ada);
    for (const [factor, amr] of [
      ['email_code', ['hwk', 'mfa', 'otp', 'user']],
      ['provider', ['fed', 'hwk', 'mfa', 'user']],
    ] as const) {
      const pendingToken = await issuePendingLogin(core, ada.user, { factors: [factor] });
      const { ceremonyToken, options } = await startPasskeySecondFactor(core, pendingToken);
      const done = await completePasskeySecondFactor(core, { pendingToken, ceremonyToken, response: authenticator.assert(options) }, testContext());
      assert.deepEqual(done.amr, amr, factor);
      assert.equal((await validateSession(core, done.token))?.user.id, ada.user.id, factor);
      // The pending login is used up with it (docs/security.md SEC-106).
      await rejectsWithAuthError(startPasskeySecondFactor(core, pendingToken), 'no_pending_login');
    }
  });

  test('another account’s passkey cannot finish it (docs/security.md SEC-182)', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const bob = await signedInAccount(core, 'bob@example.com');
    await registerSoftPasskey(core, ada);
    const { authenticator: bobKey } = await registerSoftPasskey(core, bob);
    const pendingToken = await issuePendingLogin(core, ada.user, { factors: ['password'] });
    const { ceremonyToken, options } = await startPasskeySecondFactor(core, pendingToken);
    await rejectsWithAuthError(completePasskeySecondFactor(core, { pendingToken, ceremonyToken, response: bobKey.assert(options) }, testContext()), 'passkey_refused');
  });

  test('the challenge is bound to the pending login that asked (docs/security.md SEC-172)', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    const { authenticator } = await registerSoftPasskey(core, ada);
    const pendingToken = await issuePendingLogin(core, ada.user, { factors: ['password'] });
    core.clock.advance(1000);
    const otherPending = await issuePendingLogin(core, ada.user, { factors: ['password'] });
    const { ceremonyToken, options } = await startPasskeySecondFactor(core, pendingToken);
    await rejectsWithAuthError(completePasskeySecondFactor(core, { pendingToken: otherPending, ceremonyToken, response: authenticator.assert(options) }, testContext()), 'passkey_challenge_invalid');
  });

  test('without a valid pending login, or without a passkey, there is nothing to finish', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    await rejectsWithAuthError(startPasskeySecondFactor(core, 'garbage'), 'no_pending_login');
    await rejectsWithAuthError(startPasskeySecondFactor(core, await issuePendingLogin(core, ada.user, { factors: ['password'] })), 'passkey_not_found');
  });
});
