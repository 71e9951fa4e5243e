import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finishPasskeyLogin, startPasskeyLogin } from '../../../src/core/passkeys/passkey-login.ts';
import { passkeyChallengeTtlMs } from '../../../src/core/passkeys/passkey-policy.ts';
import { removePasskey } from '../../../src/core/passkeys/manage-passkeys.ts';
import { hashSecret } from '../../../src/core/sessions/session-token.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, testContext, testPublicUrl } from '../../support/core-deps.ts';
import { registerSoftPasskey, signedInAccount } from '../../support/passkeys.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

async function accountWithPasskey(options: { synced?: boolean } = {}) {
  const core = await createTestCore();
  const current = await signedInAccount(core, 'ada@example.com');
  const { authenticator, passkeyId } = await registerSoftPasskey(core, current, createSoftAuthenticator({ origin: testPublicUrl, ...options }));
  return { core, current, authenticator, passkeyId };
}

describe('passwordless login with a passkey', () => {
  test('discoverable options (no account named, no credential listed, user verification required) log in with a session; amr hwk + mfa (docs/security.md SEC-180)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    assert.deepEqual(options.allowCredentials, []);
    assert.equal(options.userVerification, 'required');
    assert.equal(options.rpId, 'auth.test');
    const done = await finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext());
    assert.equal(done.user.id, current.user.id);
    assert.deepEqual(done.amr, ['hwk', 'mfa', 'user']);
    assert.notEqual(await validateSession(core, done.token), null);
    const [stored] = await core.store.passkeys.listByUser(current.user.id);
    assert.equal(stored?.counter, 1);
    assert.equal(stored?.lastUsedAtMs, core.clock.nowMs());
    const types = (await core.store.audit.list({ limit: 20, userId: current.user.id })).map((e) => e.type);
    assert.ok(types.includes('passkey.used') && types.includes('login.succeeded'), 'use is audited (SEC-179)');
  });

  test('a synced passkey says swk', async () => {
    const { core, authenticator } = await accountWithPasskey({ synced: true });
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    assert.deepEqual((await finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext())).amr, ['mfa', 'swk', 'user']);
  });

  test('a user-verified passkey login needs no second step, even with TOTP on (docs/security.md SEC-180)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    await core.store.totp.putPending({ userId: current.user.id, secretJwe: 'x', createdAtMs: core.clock.nowMs(), confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
    await core.store.totp.confirm(current.user.id, core.clock.nowMs(), 1);
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    const done = await finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext());
    assert.notEqual(await validateSession(core, done.token), null);
  });

  test('without user verification it is refused and audited (docs/security.md SEC-175)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options, { userVerified: false }) }, testContext()), 'passkey_refused');
    const failed = (await core.store.audit.list({ limit: 20, userId: current.user.id })).find((e) => e.type === 'passkey.failed');
    assert.match(failed?.detail ?? '', /user_not_verified/);
  });

  test('an answer signed for another origin is refused (docs/security.md SEC-174)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options, { origin: 'https://auth-test.evil.example' }) }, testContext()), 'passkey_refused');
  });

  test('a configured extra origin is accepted; the RP ID comes from the configuration (docs/security.md SEC-173)', async () => {
    const core = await createTestCore({ passkeys: { rpId: 'test', rpName: 'Gatehouse', origins: ['https://auth.test', 'https://app.test'], attestation: 'none' } });
    const current = await signedInAccount(core, 'ada@example.com');
    const { authenticator } = await registerSoftPasskey(core, current, createSoftAuthenticator({ origin: 'https://app.test', rpId: 'test' }));
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    assert.equal(options.rpId, 'test');
    await finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext());
    const other = createSoftAuthenticator({ origin: 'https://auth.test' });
    const second = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret: second.ceremonySecret, response: authenticator.assert(second.options, { origin: 'https://other.test' }) }, testContext()), 'passkey_refused');
    assert.equal(other.credentials.length, 0);
  });

  test('a signature counter that goes backwards is refused; 0 stays allowed (docs/security.md SEC-176)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const login = async (counterOptions: { counter?: number; zeroCounter?: boolean }) => {
      const { ceremonySecret, options } = await startPasskeyLogin(core);
      return finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options, counterOptions) }, testContext());
    };
    await login({ counter: 5 });
    await rejectsWithAuthError(login({ counter: 3 }), 'passkey_refused');
    await rejectsWithAuthError(login({ counter: 5 }), 'passkey_refused');
    await login({ counter: 6 });

    const zero = await accountWithPasskey();
    for (let i = 0; i < 3; i++) {
      const { ceremonySecret, options } = await startPasskeyLogin(zero.core);
      await finishPasskeyLogin(zero.core, { ceremonySecret, response: zero.authenticator.assert(options, { zeroCounter: true }) }, testContext());
    }
  });

  test('the challenge is single use and expires after 5 minutes (docs/security.md SEC-170, SEC-171)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const first = await startPasskeyLogin(core);
    const response = authenticator.assert(first.options);
    await finishPasskeyLogin(core, { ceremonySecret: first.ceremonySecret, response }, testContext());
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret: first.ceremonySecret, response }, testContext()), 'passkey_challenge_invalid');
    const late = await startPasskeyLogin(core);
    core.clock.advance(passkeyChallengeTtlMs);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret: late.ceremonySecret, response: authenticator.assert(late.options) }, testContext()), 'passkey_challenge_invalid');
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret: undefined, response: authenticator.assert(late.options) }, testContext()), 'passkey_challenge_invalid');
  });

  test('a refused answer and an expired challenge use the challenge up too (docs/security.md SEC-170)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options, { userVerified: false }) }, testContext()), 'passkey_refused');
    assert.equal(await core.store.passkeyChallenges.find(hashSecret(ceremonySecret)), null);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext()), 'passkey_challenge_invalid');
    const late = await startPasskeyLogin(core);
    core.clock.advance(passkeyChallengeTtlMs);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret: late.ceremonySecret, response: authenticator.assert(late.options) }, testContext()), 'passkey_challenge_invalid');
    assert.equal(await core.store.passkeyChallenges.find(hashSecret(late.ceremonySecret)), null);
  });

  test('of two answers to one challenge arriving together, one logs in and the other is refused (docs/security.md SEC-170)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    const answers = [authenticator.assert(options), authenticator.assert(options)];
    const results = await Promise.allSettled(answers.map((response) => finishPasskeyLogin(core, { ceremonySecret, response }, testContext())));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected');
    assert.equal((refused?.reason as { code?: string } | undefined)?.code, 'passkey_challenge_invalid');
    const used = (await core.store.audit.list({ limit: 50 })).filter((e) => e.type === 'passkey.used');
    assert.equal(used.length, 1);
  });

  test('an answer to another ceremony’s challenge is refused (docs/security.md SEC-172)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const mine = await startPasskeyLogin(core);
    const theirs = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret: mine.ceremonySecret, response: authenticator.assert(theirs.options) }, testContext()), 'passkey_refused');
  });

  test('a removed passkey logs nobody in; removal is audited (docs/security.md SEC-186, SEC-179)', async () => {
    const { core, current, authenticator, passkeyId } = await accountWithPasskey();
    await removePasskey(core, current.user, passkeyId, testContext());
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext()), 'passkey_refused');
    assert.ok((await core.store.audit.list({ limit: 20, userId: current.user.id })).some((e) => e.type === 'passkey.removed'));
  });

  test('a disabled account is refused (docs/security.md SEC-188)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    await core.store.users.setDisabledAt(current.user.id, core.clock.nowMs(), core.clock.nowMs());
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response: authenticator.assert(options) }, testContext()), 'account_disabled');
  });

  test('a user handle naming another account is refused (docs/security.md SEC-189)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonySecret, options } = await startPasskeyLogin(core);
    const response = authenticator.assert(options);
    response.response.userHandle = Buffer.from('someone-else').toString('base64url');
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonySecret, response }, testContext()), 'passkey_refused');
  });
});
