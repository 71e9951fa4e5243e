// TOTP two-factor through the core with an injected clock: docs/security.md SEC-41, SEC-42, SEC-45, SEC-46, and SEC-8
// (a reset does not get past the second factor).
import type { SessionWithUser } from '../../../src/core/ports.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestPasswordReset } from '../../../src/core/accounts/request-password-reset.ts';
import { resetPassword } from '../../../src/core/accounts/reset-password.ts';
import { beginLogin } from '../../../src/core/credentials/begin-login.ts';
import { completeSecondFactor } from '../../../src/core/credentials/complete-second-factor.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { confirmTotpEnrolment } from '../../../src/core/otp/confirm-totp-enrolment.ts';
import { disableTotp } from '../../../src/core/otp/disable-totp.ts';
import { regenerateRecoveryCodes } from '../../../src/core/otp/regenerate-recovery-codes.ts';
import { startTotpEnrolment } from '../../../src/core/otp/start-totp-enrolment.ts';
import { totpCodeAt, totpCodeAtStep, totpStep } from '../../../src/core/otp/totp.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, seedUser, signedIn, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

const stepMs = 30_000;

async function enrolled(core: TestCore, email = 'ada@example.com'): Promise<{ secret: string; recoveryCodes: string[] }> {
  const user = await seedUser(core, email);
  const current = await validateSession(core, (await seedSession(core, user.id)).token);
  assert.ok(current);
  const { secret } = await startTotpEnrolment(core, current, undefined, testContext());
  const { recoveryCodes } = await confirmTotpEnrolment(core, current, totpCodeAt(secret, core.clock.nowMs()), { password: testPassword }, testContext());
  core.clock.advance(stepMs); // the confirming step is used; move on to a fresh one
  return { secret, recoveryCodes };
}

async function pending(core: TestCore, email = 'ada@example.com'): Promise<string> {
  const step = await beginLogin(core, { email, password: testPassword }, testContext());
  assert.equal(step.kind, 'second_factor');
  return step.kind === 'second_factor' ? step.pendingToken : '';
}

describe('TOTP two-factor', () => {
  it('enrolment is confirmed by a first valid code; until then the password alone logs in; it needs the password and gives a new session id (SEC-10, SEC-15)', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, 'ada@example.com');
    const current = await validateSession(core, (await seedSession(core, user.id)).token);
    const { secret, uri } = await startTotpEnrolment(core, current!, undefined, testContext());
    assert.match(uri, /^otpauth:\/\/totp\//);
    assert.equal((await beginLogin(core, { email: 'ada@example.com', password: testPassword }, testContext())).kind, 'session', 'a pending enrolment protects nothing');
    await rejectsWithAuthError(confirmTotpEnrolment(core, current!, '000000' === totpCodeAt(secret, core.clock.nowMs()) ? '111111' : '000000', { password: testPassword }, testContext()), 'invalid_code');
    // 15: a session alone cannot turn TOTP on (a thief's authenticator would lock the owner out).
    await rejectsWithAuthError(confirmTotpEnrolment(core, current!, totpCodeAt(secret, core.clock.nowMs()), { password: 'not the password at all' }, testContext()), 'wrong_password');
    const confirmed = await confirmTotpEnrolment(core, current!, totpCodeAt(secret, core.clock.nowMs()), { password: testPassword }, testContext());
    assert.equal(confirmed.recoveryCodes.length, 10);
    assert.equal(new Set(confirmed.recoveryCodes).size, 10);
    assert.equal(await validateSession(core, (await seedSession(core, user.id)).token) !== null, true);
    assert.notEqual(confirmed.session.id, current!.session.id, 'a new session id at the privilege change');
    assert.equal(await core.store.sessions.findWithUser(current!.session.id), null);
    const stored = await core.store.totp.find(user.id);
    assert.ok(stored && !stored.secretJwe.includes(secret), 'the secret is stored encrypted');
    assert.equal(core.outbox.lastTo('ada@example.com')?.kind, 'security_notice');
  });

  it('SEC-45: password right, second factor not done -> no session, no token; the one-step login refuses', async () => {
    const core = await createTestCore();
    await enrolled(core);
    const sessionsBefore = (await core.store.sessions.listByUser((await core.store.users.findByEmail('ada@example.com'))!.id)).length;
    const token = await pending(core);
    assert.ok(token.length > 0);
    assert.equal(await validateSession(core, token), null, 'the pending token is not a session');
    assert.equal((await core.store.sessions.listByUser((await core.store.users.findByEmail('ada@example.com'))!.id)).length, sessionsBefore);
    await rejectsWithAuthError(logIn(core, { email: 'ada@example.com', password: testPassword }, testContext()), 'second_factor_required');
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: 'forged.token', proof: { code: '123456' } }, testContext()), 'no_pending_login');
  });

  it('SEC-41: steps T-1 and T are accepted, T+1 and T-2 are refused, at the injected time', async () => {
    const core = await createTestCore();
    const { secret } = await enrolled(core);
    core.clock.advance(2 * stepMs);
    const step = totpStep(core.clock.nowMs());
    const tMinus1 = await completeSecondFactor(core, { pendingToken: await pending(core), proof: { code: totpCodeAtStep(secret, step - 1) } }, testContext());
    assert.equal(tMinus1.method, 'totp');
    core.clock.advance(2 * stepMs);
    await completeSecondFactor(core, { pendingToken: await pending(core), proof: { code: totpCodeAtStep(secret, step + 2) } }, testContext());
    const now = totpStep(core.clock.nowMs());
    for (const offset of [1, 2, -2]) {
      const code = totpCodeAtStep(secret, now + offset);
      if ([totpCodeAtStep(secret, now), totpCodeAtStep(secret, now - 1)].includes(code)) continue;
      await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: await pending(core), proof: { code } }, testContext()), 'invalid_code');
    }
  });

  it('SEC-42: a code is accepted once; an older step after a newer one is refused; the last step survives a restart', async () => {
    const store = createMemoryStore();
    const core = await createTestCore({ store });
    const { secret } = await enrolled(core);
    const now = totpStep(core.clock.nowMs());
    const code = totpCodeAtStep(secret, now);
    await completeSecondFactor(core, { pendingToken: await pending(core), proof: { code } }, testContext());
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: await pending(core), proof: { code } }, testContext()), 'invalid_code');
    const older = totpCodeAtStep(secret, now - 1);
    if (older !== code) await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: await pending(core), proof: { code: older } }, testContext()), 'invalid_code');
    // A "restart": new deps over the same store (the SQLite contract covers the same for the file).
    const restarted = await createTestCore({ store, clock: core.clock });
    await rejectsWithAuthError(completeSecondFactor(restarted, { pendingToken: await pending(restarted), proof: { code } }, testContext()), 'invalid_code');
  });

  it('SEC-46: recovery codes work once each, are stored hashed, and can be regenerated (old ones void)', async () => {
    const core = await createTestCore();
    const { recoveryCodes } = await enrolled(core);
    const user = (await core.store.users.findByEmail('ada@example.com'))!;
    const stored = await core.store.recoveryCodes.listByUser(user.id);
    assert.equal(stored.length, 10);
    for (const code of recoveryCodes) assert.ok(!JSON.stringify(stored.map((r) => ({ ...r, codeHash: Buffer.from(r.codeHash).toString('hex') }))).includes(code));
    const first = recoveryCodes[0]!;
    const done = await completeSecondFactor(core, { pendingToken: await pending(core), proof: { recoveryCode: first.toLowerCase().replaceAll('-', ' ') } }, testContext());
    assert.equal(done.method, 'recovery_code');
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: await pending(core), proof: { recoveryCode: first } }, testContext()), 'invalid_code');
    // A session of this account logged in with the password and the TOTP code.
    const loggedInWithTotp = async (): Promise<SessionWithUser> => {
      const current = await signedIn(core, user);
      return { ...current, session: { ...current.session, amr: ['mfa', 'otp', 'pwd'] } };
    };
    await rejectsWithAuthError(regenerateRecoveryCodes(core, await loggedInWithTotp(), { password: 'not the password at all' }, testContext()), 'wrong_password');
    // A session that never proved the TOTP (from before it was on): the password alone makes no new codes (SEC-168).
    await rejectsWithAuthError(regenerateRecoveryCodes(core, await signedIn(core, user), { password: testPassword }, testContext()), 'reauthentication_required');
    const fresh = await regenerateRecoveryCodes(core, await loggedInWithTotp(), { password: testPassword }, testContext());
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: await pending(core), proof: { recoveryCode: recoveryCodes[1]! } }, testContext()), 'invalid_code');
    await completeSecondFactor(core, { pendingToken: await pending(core), proof: { recoveryCode: fresh[0]! } }, testContext());
  });

  it('SEC-44: wrong codes are capped per account (not per pending login); a right code resets the count', async () => {
    const core = await createTestCore();
    const { secret } = await enrolled(core);
    const wrong = (): string => {
      const right = [0, -1].map((o) => totpCodeAtStep(secret, totpStep(core.clock.nowMs()) + o));
      return ['000000', '111111', '222222'].find((c) => !right.includes(c))!;
    };
    for (let i = 0; i < 5; i++) await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: await pending(core), proof: { code: wrong() } }, testContext()), 'invalid_code');
    const locked = await rejectsWithAuthError(
      completeSecondFactor(core, { pendingToken: await pending(core), proof: { code: totpCodeAt(secret, core.clock.nowMs()) } }, testContext()),
      'too_many_requests',
    );
    assert.ok((locked.retryAfterSeconds ?? 0) >= 1);
    core.clock.advance(61_000);
    await completeSecondFactor(core, { pendingToken: await pending(core), proof: { code: totpCodeAt(secret, core.clock.nowMs()) } }, testContext());
  });

  it('the pending login expires after 5 minutes and dies with a password change (SEC-61)', async () => {
    const core = await createTestCore();
    const { secret } = await enrolled(core);
    const token = await pending(core);
    core.clock.advance(5 * 60_000 + 1000);
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: token, proof: { code: totpCodeAt(secret, core.clock.nowMs()) } }, testContext()), 'no_pending_login');
    const fresh = await pending(core);
    const user = (await core.store.users.findByEmail('ada@example.com'))!;
    await core.store.users.updatePasswordHash(user.id, user.passwordHash ?? assert.fail('a password account'), core.clock.nowMs() + 1);
    await rejectsWithAuthError(completeSecondFactor(core, { pendingToken: fresh, proof: { code: totpCodeAt(secret, core.clock.nowMs()) } }, testContext()), 'no_pending_login');
  });

  it('SEC-8: a password reset does not get past the second factor', async () => {
    const core = await createTestCore();
    const { secret } = await enrolled(core);
    await requestPasswordReset(core, 'ada@example.com', testContext());
    const token = decodeURIComponent(/reset\?token=(\S+)/.exec(core.outbox.lastTo('ada@example.com')!.text)![1]!);
    await resetPassword(core, { token, newPassword: 'the new passphrase of ada' }, testContext());
    const step = await beginLogin(core, { email: 'ada@example.com', password: 'the new passphrase of ada' }, testContext());
    assert.equal(step.kind, 'second_factor');
    if (step.kind === 'second_factor') await completeSecondFactor(core, { pendingToken: step.pendingToken, proof: { code: totpCodeAt(secret, core.clock.nowMs()) } }, testContext());
  });

  it('disabling needs the password; afterwards the password alone logs in (SEC-15)', async () => {
    const core = await createTestCore();
    await enrolled(core);
    const user = (await core.store.users.findByEmail('ada@example.com'))!;
    await rejectsWithAuthError(disableTotp(core, await signedIn(core, user), { password: 'a wrong password here' }, testContext()), 'wrong_password');
    assert.equal((await beginLogin(core, { email: 'ada@example.com', password: testPassword }, testContext())).kind, 'second_factor');
    await disableTotp(core, await signedIn(core, user), { password: testPassword }, testContext());
    assert.equal((await beginLogin(core, { email: 'ada@example.com', password: testPassword }, testContext())).kind, 'session');
    assert.deepEqual(await core.store.recoveryCodes.listByUser(user.id), []);
    const types = (await core.store.audit.list({ limit: 50, userId: user.id })).map((e) => e.type);
    for (const type of ['totp.enrolment_started', 'totp.enabled', 'recovery_codes.generated', 'login.second_factor_required', 'totp.disabled']) assert.ok(types.includes(type as never), type);
  });
});
