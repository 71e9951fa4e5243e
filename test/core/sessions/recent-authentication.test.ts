// docs/security.md SEC-100: one recent re-authentication gate in front of every sensitive change;
// sessions record when (authTime) and how (amr, RFC 8176) their user authenticated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reauthenticate } from '../../../src/core/accounts/reauthenticate.ts';
import { beginLogin } from '../../../src/core/credentials/begin-login.ts';
import { completeSecondFactor } from '../../../src/core/credentials/complete-second-factor.ts';
import { confirmTotpEnrolment } from '../../../src/core/otp/confirm-totp-enrolment.ts';
import { disableTotp } from '../../../src/core/otp/disable-totp.ts';
import { regenerateRecoveryCodes } from '../../../src/core/otp/regenerate-recovery-codes.ts';
import { startTotpEnrolment } from '../../../src/core/otp/start-totp-enrolment.ts';
import { totpCodeAt } from '../../../src/core/otp/totp.ts';
import { amrAfterReauthentication, amrOf } from '../../../src/core/sessions/authentication-methods.ts';
import { requireRecentAuthentication } from '../../../src/core/sessions/recent-authentication.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, signedIn, testContext, testPassword } from '../../support/core-deps.ts';

const windowMs = 5 * 60_000;

describe('authentication methods (amr)', () => {
  it('maps factors to RFC 8176 values, with mfa only for two different kinds', () => {
    assert.deepEqual(amrOf(['password']), ['pwd']);
    assert.deepEqual(amrOf(['password', 'totp']), ['mfa', 'otp', 'pwd']);
    assert.deepEqual(amrOf(['email_code', 'recovery_code']), ['mfa', 'otp']);
    assert.deepEqual(amrOf(['provider']), ['fed']);
    assert.deepEqual(amrOf(['provider', 'totp']), ['fed', 'mfa', 'otp']);
    assert.deepEqual(amrOf(['provider_mfa']), ['fed', 'mfa']);
    assert.deepEqual(amrAfterReauthentication(['fed'], 'email_code'), ['fed', 'otp'], 'a re-authentication alone is not mfa');
    assert.deepEqual(amrAfterReauthentication(['mfa', 'otp', 'pwd'], 'password'), ['mfa', 'otp', 'pwd']);
  });

  it('a password login records pwd and the login time; password + TOTP records mfa', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    const step = await beginLogin(core, { email: 'ada@example.com', password: testPassword }, testContext());
    assert.equal(step.kind, 'session');
    if (step.kind !== 'session') return;
    assert.deepEqual(step.session.amr, ['pwd']);
    assert.equal(step.session.authTimeMs, core.clock.nowMs());
    assert.deepEqual((await validateSession(core, step.token))?.session.amr, ['pwd']);
  });
});

describe('the recent re-authentication gate (SEC-100)', () => {
  it('lets a fresh login through, refuses it after the window, and a re-authentication opens it again', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'ada@example.com');
    const current = await signedIn(core, user);
    await requireRecentAuthentication(core, current, undefined, testContext());
    core.clock.advance(windowMs + 1);
    await rejectsWithAuthError(requireRecentAuthentication(core, current, undefined, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(reauthenticate(core, current, { password: 'not the password at all' }, testContext()), 'wrong_password');
    const after = await reauthenticate(core, current, { password: testPassword }, testContext());
    assert.equal(after.session.authTimeMs, core.clock.nowMs());
    const stored = await core.store.sessions.findWithUser(current.session.id);
    assert.equal(stored?.session.authTimeMs, core.clock.nowMs(), 'recorded on the session');
    await requireRecentAuthentication(core, stored!, undefined, testContext());
  });

  it('every sensitive change refuses a stale session: TOTP enrolment, disabling, recovery codes (SEC-100, SEC-105)', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'ada@example.com');
    const current = await signedIn(core, user);
    const { secret } = await startTotpEnrolment(core, current, undefined, testContext());
    const { session } = await confirmTotpEnrolment(core, current, totpCodeAt(secret, core.clock.nowMs()), undefined, testContext());
    assert.deepEqual(session.amr, ['otp', 'pwd'], 'the replacement session adds the code just shown (not mfa: not one login)');
    const stale = { user, session };
    core.clock.advance(windowMs + 1);
    await rejectsWithAuthError(regenerateRecoveryCodes(core, stale, undefined, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(disableTotp(core, stale, undefined, testContext()), 'reauthentication_required');
    assert.ok((await core.store.totp.find(user.id))?.confirmedAtMs, 'still on');
    // An authenticator code counts as a re-authentication too.
    await disableTotp(core, stale, { code: totpCodeAt(secret, core.clock.nowMs()) }, testContext());
    assert.equal(await core.store.totp.find(user.id), null);
  });
});

describe('TOTP enrolment is bound to its session (SEC-105)', () => {
  it('a stale stolen session cannot start one; another session neither sees nor confirms a pending one', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'ada@example.com');
    const thief = await signedIn(core, user);
    core.clock.advance(windowMs + 1);
    await rejectsWithAuthError(startTotpEnrolment(core, thief, undefined, testContext()), 'reauthentication_required');
    assert.equal(await core.store.totp.find(user.id), null, 'nothing planted');

    // Even within the window, the key started in one session is invisible to the owner's other session.
    const thiefFresh = await signedIn(core, user);
    const owner = await signedIn(core, user);
    const { secret } = await startTotpEnrolment(core, thiefFresh, undefined, testContext());
    const { pendingTotpEnrolment } = await import('../../../src/core/otp/start-totp-enrolment.ts');
    assert.equal(await pendingTotpEnrolment(core, owner), null);
    assert.equal((await pendingTotpEnrolment(core, thiefFresh))?.secret, secret);
    await rejectsWithAuthError(confirmTotpEnrolment(core, owner, totpCodeAt(secret, core.clock.nowMs()), { password: testPassword }, testContext()), 'totp_not_enabled');
  });
});

describe('the pending login is single use (SEC-106)', () => {
  it('after a successful second step, the same pending login with another recovery code makes no second session', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'ada@example.com');
    const current = await signedIn(core, user);
    const { secret } = await startTotpEnrolment(core, current, undefined, testContext());
    const { recoveryCodes } = await confirmTotpEnrolment(core, current, totpCodeAt(secret, core.clock.nowMs()), undefined, testContext());
    const step = await beginLogin(core, { email: 'ada@example.com', password: testPassword }, testContext());
    assert.equal(step.kind, 'second_factor');
    if (step.kind !== 'second_factor') return;
    const done = await completeSecondFactor(core, { pendingToken: step.pendingToken, proof: { recoveryCode: recoveryCodes[0]! } }, testContext());
    assert.deepEqual(done.session.amr, ['mfa', 'otp', 'pwd']);
    const before = (await core.store.sessions.listByUser(user.id)).length;
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: step.pendingToken, proof: { recoveryCode: recoveryCodes[1]! } }, testContext()), 'no_pending_login');
    assert.equal((await core.store.sessions.listByUser(user.id)).length, before);
  });
});
