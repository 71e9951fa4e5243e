import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changePassword } from '../../../src/core/accounts/change-password.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import type { SessionWithUser } from '../../../src/core/ports.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import {
  createTestCore,
  seedSession,
  seedUser,
  testContext,
  testPassword,
  type TestCore,
} from '../../support/core-deps.ts';

const email = 'alice@example.com';
const newPassword = 'a brand new passphrase for alice';
const overCapPassword = 'x'.repeat(513);

async function setUp(): Promise<{ core: TestCore; current: SessionWithUser; currentToken: string; otherToken: string }> {
  const core = await createTestCore();
  const user = await seedUser(core, email);
  const here = await seedSession(core, user.id, testContext('198.51.100.1', 'laptop'));
  const other = await seedSession(core, user.id, testContext('198.51.100.2', 'phone'));
  const current = await validateSession(core, here.token);
  assert.ok(current !== null);
  return { core, current, currentToken: here.token, otherToken: other.token };
}

describe('changePassword', () => {
  it('ends every session, the current one included, and returns a new session with a new id', async () => {
    const { core, current, currentToken, otherToken } = await setUp();
    const started = await changePassword(core, current, { currentPassword: testPassword, newPassword }, testContext('198.51.100.1', 'laptop'));

    assert.notEqual(started.session.id, current.session.id);
    assert.notEqual(started.token, currentToken);
    assert.equal(await validateSession(core, currentToken), null, 'the old current session is dead');
    assert.equal(await validateSession(core, otherToken), null, 'the other device is logged out');
    assert.equal((await validateSession(core, started.token))?.user.id, current.user.id);
    assert.deepEqual((await core.store.sessions.listByUser(current.user.id)).map((s) => s.id), [started.session.id]);
    // The current password also counts as a re-authentication (reauth.succeeded, at the same instant).
    const event = (await core.store.audit.list({ limit: 10, userId: current.user.id })).find((e) => e.type === 'password.changed');
    assert.equal(event?.detail, 'ended 2 sessions');
  });

  it('makes the new password work and the old one fail', async () => {
    const { core, current } = await setUp();
    await changePassword(core, current, { currentPassword: testPassword, newPassword }, testContext());
    const stored = await core.store.users.findById(current.user.id);
    assert.match(stored?.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    await logIn(core, { email, password: newPassword }, testContext());
    await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'invalid_credentials');
  });

  it('refuses a wrong current password with wrong_password and changes nothing', async () => {
    const { core, current, currentToken, otherToken } = await setUp();
    const error = await rejectsWithAuthError(
      changePassword(core, current, { currentPassword: 'not my password at all', newPassword }, testContext()),
      'wrong_password',
    );
    assert.equal(error.status, 403);
    assert.equal((await core.store.users.findById(current.user.id))?.passwordHash, current.user.passwordHash);
    assert.notEqual(await validateSession(core, currentToken), null);
    assert.notEqual(await validateSession(core, otherToken), null);
  });

  it('counts wrong current passwords toward the account throttle (a stolen session cannot guess) (SEC-90)', async () => {
    const { core, current } = await setUp();
    await rejectsWithAuthError(
      changePassword(core, current, { currentPassword: 'not my password at all', newPassword }, testContext()),
      'wrong_password',
    );
    for (let i = 0; i < 4; i++) {
      await rejectsWithAuthError(changePassword(core, current, { currentPassword: overCapPassword, newPassword }, testContext()), 'wrong_password');
    }
    const locked = await rejectsWithAuthError(
      changePassword(core, current, { currentPassword: testPassword, newPassword }, testContext()),
      'too_many_requests',
    );
    assert.equal(locked.retryAfterSeconds, 1);
    // The same counter guards the login form.
    await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext('192.0.2.1')), 'too_many_requests');

    core.clock.advance(1_000);
    await changePassword(core, current, { currentPassword: testPassword, newPassword }, testContext());
  });

  it('lets no more than 5 wrong current passwords through when they arrive concurrently (SEC-89)', async () => {
    const { core, current } = await setUp();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => changePassword(core, current, { currentPassword: `not my password ${i}`, newPassword }, testContext())),
    );
    const codes = results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'fulfilled')).sort();
    assert.deepEqual(codes, [...Array(3).fill('too_many_requests'), ...Array(5).fill('wrong_password')]);
  });

  it('clears the account counter once the right current password is given', async () => {
    const { core, current } = await setUp();
    for (let i = 0; i < 4; i++) {
      await rejectsWithAuthError(changePassword(core, current, { currentPassword: overCapPassword, newPassword }, testContext()), 'wrong_password');
    }
    const started = await changePassword(core, current, { currentPassword: testPassword, newPassword }, testContext());
    const renewed = await validateSession(core, started.token);
    assert.ok(renewed !== null);
    // Five fresh failures are allowed again, not just the one left before.
    for (let i = 0; i < 5; i++) {
      await rejectsWithAuthError(changePassword(core, renewed, { currentPassword: overCapPassword, newPassword: testPassword }, testContext()), 'wrong_password');
    }
    await rejectsWithAuthError(changePassword(core, renewed, { currentPassword: newPassword, newPassword: testPassword }, testContext()), 'too_many_requests');
  });

  it('applies the password policy to the new password, and changes nothing when it fails', async () => {
    const { core, current, currentToken } = await setUp();
    await rejectsWithAuthError(
      changePassword(core, current, { currentPassword: testPassword, newPassword: 'too short' }, testContext()),
      'password_too_short',
    );
    await rejectsWithAuthError(
      changePassword(core, current, { currentPassword: testPassword, newPassword: 'polniypizdec0211' }, testContext()),
      'password_too_common',
    );
    await rejectsWithAuthError(
      changePassword(core, current, { currentPassword: testPassword, newPassword: 'x'.repeat(600) }, testContext()),
      'password_too_long',
    );
    const longEmailUser = await seedUser(core, 'alice.in.wonderland@example.com');
    const longEmailSession = await validateSession(core, (await seedSession(core, longEmailUser.id)).token);
    assert.ok(longEmailSession !== null);
    await rejectsWithAuthError(
      changePassword(core, longEmailSession, { currentPassword: testPassword, newPassword: 'Alice.In.Wonderland@example.com' }, testContext()),
      'password_matches_email',
    );
    assert.equal((await core.store.users.findById(current.user.id))?.passwordHash, current.user.passwordHash);
    assert.notEqual(await validateSession(core, currentToken), null);
  });
});
