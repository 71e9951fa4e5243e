import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finishPasskeyLogin, startPasskeyLogin } from '../../../src/core/passkeys/passkey-login.ts';
import { passkeyChallengeTtlMs } from '../../../src/core/passkeys/passkey-policy.ts';
import { removePasskey } from '../../../src/core/passkeys/manage-passkeys.ts';
import { startCeremony } from '../../../src/core/passkeys/ceremony.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { createTestCore, testContext, testPassword, testPublicUrl } from '../../support/core-deps.ts';
import { registerSoftPasskey, signedInAccount } from '../../support/passkeys.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

async function accountWithPasskey(options: { synced?: boolean; requireVerifiedEmail?: boolean } = {}) {
  const core = await createTestCore({ accountSecurityPolicy: { requireVerifiedEmail: options.requireVerifiedEmail ?? false } });
  const current = await signedInAccount(core, 'ada@example.com');
  const { authenticator, passkeyId } = await registerSoftPasskey(core, current, createSoftAuthenticator({ origin: testPublicUrl, synced: options.synced ?? false }));
  return { core, current, authenticator, passkeyId };
}

describe('passwordless login with a passkey', () => {
  test('discoverable options (no account named, no credential listed, user verification required) log in with a session; amr hwk + mfa (docs/security.md SEC-180)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    assert.deepEqual(options.allowCredentials, []);
    assert.equal(options.userVerification, 'required');
    assert.equal(options.rpId, 'auth.test');
    const done = await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext());
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
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    assert.deepEqual((await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext())).amr, ['mfa', 'swk', 'user']);
  });

  test('a user-verified passkey login needs no second step, even with TOTP on (docs/security.md SEC-180)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    await core.store.totp.putPending({ userId: current.user.id, secretJwe: 'x', createdAtMs: core.clock.nowMs(), confirmedAtMs: null, lastUsedStep: null, enrolmentSessionId: null });
    await core.store.totp.confirm(current.user.id, core.clock.nowMs(), 1);
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    const done = await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext());
    assert.notEqual(await validateSession(core, done.token), null);
  });

  test('without user verification it is refused and audited (docs/security.md SEC-175)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options, { userVerified: false }) }, testContext()), 'passkey_refused');
    const failed = (await core.store.audit.list({ limit: 20, userId: current.user.id })).find((e) => e.type === 'passkey.failed');
    assert.match(failed?.detail ?? '', /user_not_verified/);
  });

  test('an answer signed for another origin is refused (docs/security.md SEC-174)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options, { origin: 'https://auth-test.evil.example' }) }, testContext()), 'passkey_refused');
  });

  test('a configured extra origin is accepted; the RP ID comes from the configuration (docs/security.md SEC-173)', async () => {
    const core = await createTestCore({ passkeys: { rpId: 'test', rpName: 'Gatehouse', origins: ['https://auth.test', 'https://app.test'], attestation: 'none' } });
    const current = await signedInAccount(core, 'ada@example.com');
    const { authenticator } = await registerSoftPasskey(core, current, createSoftAuthenticator({ origin: 'https://app.test', rpId: 'test' }));
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    assert.equal(options.rpId, 'test');
    await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext());
    const other = createSoftAuthenticator({ origin: 'https://auth.test' });
    const second = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: second.ceremonyToken, response: authenticator.assert(second.options, { origin: 'https://other.test' }) }, testContext()), 'passkey_refused');
    assert.equal(other.credentials.length, 0);
  });

  test('a signature counter that goes backwards is refused; 0 stays allowed (docs/security.md SEC-176)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const login = async (counterOptions: { counter?: number; zeroCounter?: boolean }) => {
      const { ceremonyToken, options } = await startPasskeyLogin(core);
      return finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options, counterOptions) }, testContext());
    };
    await login({ counter: 5 });
    await rejectsWithAuthError(login({ counter: 3 }), 'passkey_refused');
    await rejectsWithAuthError(login({ counter: 5 }), 'passkey_refused');
    await login({ counter: 6 });

    const zero = await accountWithPasskey();
    for (let i = 0; i < 3; i++) {
      const { ceremonyToken, options } = await startPasskeyLogin(zero.core);
      await finishPasskeyLogin(zero.core, { ceremonyToken, response: zero.authenticator.assert(options, { zeroCounter: true }) }, testContext());
    }
  });

  test('the challenge is single use and expires after 5 minutes (docs/security.md SEC-170, SEC-171)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const first = await startPasskeyLogin(core);
    const response = authenticator.assert(first.options);
    await finishPasskeyLogin(core, { ceremonyToken: first.ceremonyToken, response }, testContext());
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: first.ceremonyToken, response }, testContext()), 'passkey_challenge_invalid');
    const late = await startPasskeyLogin(core);
    core.clock.advance(passkeyChallengeTtlMs);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: late.ceremonyToken, response: authenticator.assert(late.options) }, testContext()), 'passkey_challenge_invalid');
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: undefined, response: authenticator.assert(late.options) }, testContext()), 'passkey_challenge_invalid');
  });

  test('a refused answer uses the challenge up too; an expired one is refused (docs/security.md SEC-170)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options, { userVerified: false }) }, testContext()), 'passkey_refused');
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext()), 'passkey_challenge_invalid');
    const late = await startPasskeyLogin(core);
    core.clock.advance(passkeyChallengeTtlMs);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: late.ceremonyToken, response: authenticator.assert(late.options) }, testContext()), 'passkey_challenge_invalid');
  });

  test('a ceremony token counts only as this server made it: changed expiry, challenge or MAC, another key, or another purpose are refused; a rotated-out secret still verifies (docs/security.md SEC-172, SEC-190)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    const [challenge, expiry, mac] = ceremonyToken.split('.') as [string, string, string];
    const flip = (text: string): string => `${text.slice(0, -2)}${text.at(-2) === 'A' ? 'B' : 'A'}${text.at(-1)}`;
    for (const forged of [`${challenge}.${Number(expiry) + 600_000}.${mac}`, `${flip(challenge)}.${expiry}.${mac}`, `${challenge}.${expiry}.${flip(mac)}`, `${challenge}.${expiry}`, `${ceremonyToken}.x`]) {
      await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: forged, response: authenticator.assert(options) }, testContext()), 'passkey_challenge_invalid');
    }
    const otherServer = { ...core, accountSecurity: { ...core.accountSecurity, passkeyCeremonyKeys: [new Uint8Array(32).fill(42)] } };
    await rejectsWithAuthError(finishPasskeyLogin(otherServer, { ceremonyToken, response: authenticator.assert(options) }, testContext()), 'passkey_challenge_invalid');
    const registration = startCeremony(core, 'register', null, null);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: registration.ceremonyToken, response: authenticator.assert(options) }, testContext()), 'passkey_challenge_invalid');
    // Nothing was used up by the forgeries: the genuine token still logs in, also after the secret rotated.
    const rotated = { ...core, accountSecurity: { ...core.accountSecurity, passkeyCeremonyKeys: [new Uint8Array(32).fill(42), ...core.accountSecurity.passkeyCeremonyKeys] } };
    await finishPasskeyLogin(rotated, { ceremonyToken, response: authenticator.assert(options) }, testContext());
  });

  test('of two answers to one challenge arriving together, one logs in and the other is refused (docs/security.md SEC-170)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    const answers = [authenticator.assert(options), authenticator.assert(options)];
    const results = await Promise.allSettled(answers.map((response) => finishPasskeyLogin(core, { ceremonyToken, response }, testContext())));
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
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: mine.ceremonyToken, response: authenticator.assert(theirs.options) }, testContext()), 'passkey_refused');
  });

  test('failed passkey logins are throttled per IP with failed passwords: after 20, even a right answer from that IP waits; other IPs and successes are not counted (docs/security.md SEC-191)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const attacker = testContext('198.51.100.9');
    const login = async (context = attacker, assertOptions = {}) => {
      const { ceremonyToken, options } = await startPasskeyLogin(core);
      return finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options, assertOptions) }, context);
    };
    for (let i = 0; i < 3; i += 1) await login();
    for (let i = 0; i < 20; i += 1) await rejectsWithAuthError(login(attacker, { origin: 'https://evil.example' }), 'passkey_refused');
    const refused = await login().then(
      () => null,
      (error: unknown) => error,
    );
    assert.equal((refused as { code?: string } | null)?.code, 'too_many_requests');
    assert.ok(((refused as { retryAfterSeconds?: number }).retryAfterSeconds ?? 0) >= 1);
    // A forged ceremony token from the locked IP is refused the same way, before anything else.
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken: 'forged', response: authenticator.assert((await startPasskeyLogin(core)).options) }, attacker), 'too_many_requests');
    await login(testContext('203.0.113.50'));
    core.clock.advance(2_000);
    await login();
  });

  test('a removed passkey logs nobody in; removal is audited (docs/security.md SEC-186, SEC-179)', async () => {
    const { core, current, authenticator, passkeyId } = await accountWithPasskey();
    await removePasskey(core, current, passkeyId, undefined, testContext());
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext()), 'passkey_refused');
    assert.ok((await core.store.audit.list({ limit: 20, userId: current.user.id })).some((e) => e.type === 'passkey.removed'));
  });

  test('a disabled account is refused (docs/security.md SEC-188)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    await core.store.users.setDisabledAt(current.user.id, core.clock.nowMs(), core.clock.nowMs());
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext()), 'account_disabled');
  });

  test('with requireVerifiedEmail on, an account whose address is not verified is refused as at a password login (email_not_verified, audited); once verified it logs in (docs/security.md SEC-228)', async () => {
    const { core, current, authenticator } = await accountWithPasskey({ requireVerifiedEmail: true });
    const passwordLogin = logIn(core, { email: current.user.email, password: testPassword }, testContext());
    await rejectsWithAuthError(passwordLogin, 'email_not_verified');
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext()), 'email_not_verified');
    assert.equal((await core.store.sessions.listByUser(current.user.id)).length, 1, 'no session besides the one the test began with');
    const failures = (await core.store.audit.list({ limit: 20, userId: current.user.id })).filter((e) => e.type === 'login.failed' && e.detail === 'email_not_verified');
    assert.equal(failures.length, 2, 'the password and the passkey refusal, audited alike');
    await core.store.emailVerifications.markVerified(current.user.id, current.user.email, core.clock.nowMs());
    const again = await startPasskeyLogin(core);
    const done = await finishPasskeyLogin(core, { ceremonyToken: again.ceremonyToken, response: authenticator.assert(again.options) }, testContext());
    assert.equal(done.user.id, current.user.id);
  });

  test('with requireVerifiedEmail off, an unverified account logs in with its passkey (the password login lets it in too) (docs/security.md SEC-228)', async () => {
    const { core, current, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    assert.equal((await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext())).user.id, current.user.id);
  });

  test('a user handle naming another account is refused (docs/security.md SEC-189)', async () => {
    const { core, authenticator } = await accountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    const response = authenticator.assert(options);
    response.response.userHandle = Buffer.from('someone-else').toString('base64url');
    await rejectsWithAuthError(finishPasskeyLogin(core, { ceremonyToken, response }, testContext()), 'passkey_refused');
  });
});
