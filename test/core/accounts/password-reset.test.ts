// docs/security.md SEC-6 and SEC-8 for reset links, with an injected clock.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { requestPasswordReset } from '../../../src/core/accounts/request-password-reset.ts';
import { resetPassword } from '../../../src/core/accounts/reset-password.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import type { MailMessage } from '../../../src/core/ports.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, seedUser, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

const newPassword = 'a brand new passphrase for ada';

function resetTokenIn(mail: MailMessage | undefined): string {
  const match = /https:\/\/auth\.test\/reset\?token=(\S+)/.exec(mail?.text ?? '');
  assert.ok(match?.[1], `a reset link in: ${mail?.text}`);
  return decodeURIComponent(match[1]);
}

async function requested(core: TestCore, email: string, ip = '198.51.100.1'): Promise<string> {
  await requestPasswordReset(core, email, testContext(ip));
  return resetTokenIn(core.outbox.lastTo(email.trim().toLowerCase()));
}

describe('password reset', () => {
  it('mails a single-use link to the configured public URL, valid 30 minutes, >= 128 bits, stored hashed', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    const token = await requested(core, 'ADA@example.com ');
    const mail = core.outbox.lastTo('ada@example.com');
    assert.equal(mail?.kind, 'password_reset');
    assert.match(mail?.text ?? '', /30 minutes/);
    const [id, secret] = token.split('.') as [string, string];
    assert.ok(Buffer.from(secret, 'base64url').length * 8 >= 128);
    const stored = await core.store.oneTimeTokens.findById(id);
    assert.deepEqual(Buffer.from(stored!.secretHash), createHash('sha256').update(secret).digest());
    assert.equal(stored!.expiresAtMs - stored!.createdAtMs, 30 * 60_000);
  });

  it('an unknown address: no error, no link, a note to the address instead; the audit trail has it', async () => {
    const core = await createTestCore();
    await requestPasswordReset(core, 'ghost@example.com', testContext());
    assert.deepEqual(core.outbox.sent.map((m) => m.kind), ['reset_unknown_account']);
    assert.ok(!core.outbox.sent[0]!.text.includes('/reset?token='));
    const [event] = await core.store.audit.list({ limit: 1 });
    assert.equal(event?.type, 'password_reset.requested');
    assert.equal(event?.detail, 'unknown_email');
  });

  it('SEC-6: the link is refused once used, after 30 minutes, after a newer link, or with a tampered secret', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    await seedUser(core, 'bob@example.com');
    const used = await requested(core, 'ada@example.com');
    await resetPassword(core, { token: used, newPassword }, testContext());
    await rejectsWithAuthError(resetPassword(core, { token: used, newPassword: 'yet another passphrase here' }, testContext()), 'invalid_link');

    core.clock.advance(61_000);
    const expiring = await requested(core, 'bob@example.com');
    core.clock.advance(30 * 60_000);
    await rejectsWithAuthError(resetPassword(core, { token: expiring, newPassword }, testContext()), 'invalid_link');

    core.clock.advance(61_000);
    const older = await requested(core, 'bob@example.com');
    core.clock.advance(61_000);
    const newer = await requested(core, 'bob@example.com');
    await rejectsWithAuthError(resetPassword(core, { token: older, newPassword }, testContext()), 'invalid_link');
    const [newerId] = newer.split('.') as [string];
    await rejectsWithAuthError(resetPassword(core, { token: `${newerId}.${'A'.repeat(43)}`, newPassword }, testContext()), 'invalid_link');
    core.clock.advance(29 * 60_000);
    await resetPassword(core, { token: newer, newPassword }, testContext());
    await logIn(core, { email: 'bob@example.com', password: newPassword }, testContext());
  });

  it("SEC-6: a link works only for its own account: the new password is set on ada's, never on the requester's", async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    const mallory = await seedUser(core, 'mallory@example.com');
    const { token: mallorySession } = await seedSession(core, mallory.id);
    const token = await requested(core, 'ada@example.com');
    await resetPassword(core, { token, newPassword }, testContext());
    assert.notEqual((await core.store.users.findById(ada.id))!.passwordHash, ada.passwordHash);
    assert.equal((await core.store.users.findById(mallory.id))!.passwordHash, mallory.passwordHash);
    assert.ok(await validateSession(core, mallorySession), "mallory's own session is untouched");
  });

  it('SEC-8: finishing a reset ends every session (through endSessions: one revocation each) and logs nobody in', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    const phone = await seedSession(core, ada.id);
    const laptop = await seedSession(core, ada.id);
    const token = await requested(core, 'ada@example.com');
    const result = await resetPassword(core, { token, newPassword }, testContext());
    assert.deepEqual(result, { email: 'ada@example.com' }, 'no session in the answer');
    assert.equal(await validateSession(core, phone.token), null);
    assert.equal(await validateSession(core, laptop.token), null);
    assert.deepEqual(await core.store.sessions.listByUser(ada.id), []);
    const revoked = (await core.store.revocations.listAfter(0, 10)).map((r) => r.sid).sort();
    assert.deepEqual(revoked, [phone.session.id, laptop.session.id].sort());
    assert.deepEqual(core.outbox.sent.map((m) => m.kind), ['password_reset', 'security_notice']);
    const event = (await core.store.audit.list({ limit: 10, userId: ada.id })).find((e) => e.type === 'password.reset');
    assert.equal(event?.detail, 'ended 2 sessions');
    await rejectsWithAuthError(logIn(core, { email: 'ada@example.com', password: testPassword }, testContext()), 'invalid_credentials');
  });

  it('SEC-49: a locked-out account can still reset, and the reset lifts the lock', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    for (let i = 0; i < 5; i++) await rejectsWithAuthError(logIn(core, { email: 'ada@example.com', password: `wrong password ${i}` }, testContext()), 'invalid_credentials');
    await rejectsWithAuthError(logIn(core, { email: 'ada@example.com', password: testPassword }, testContext()), 'too_many_requests');
    const token = await requested(core, 'ada@example.com');
    await resetPassword(core, { token, newPassword }, testContext());
    await logIn(core, { email: 'ada@example.com', password: newPassword }, testContext());
  });

  it('the new password goes through the policy, and a refused one leaves the link usable', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    const token = await requested(core, 'ada@example.com');
    await rejectsWithAuthError(resetPassword(core, { token, newPassword: 'short' }, testContext()), 'password_too_short');
    await resetPassword(core, { token, newPassword }, testContext());
  });

  it('a reset proves the address: an unverified account counts as verified afterwards', async () => {
    const core = await createTestCore({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    await seedUser(core, 'ada@example.com');
    const token = await requested(core, 'ada@example.com');
    await resetPassword(core, { token, newPassword }, testContext());
    await logIn(core, { email: 'ada@example.com', password: newPassword }, testContext());
  });

  it('a disabled account gets no link', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    await core.store.users.setDisabledAt(ada.id, core.clock.nowMs(), core.clock.nowMs());
    await requestPasswordReset(core, 'ada@example.com', testContext());
    assert.deepEqual(core.outbox.sent, []);
  });
});
