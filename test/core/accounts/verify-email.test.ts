// docs/security.md SEC-6 for verification links, and the "may an unverified account log in" setting.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { requestVerificationEmail } from '../../../src/core/accounts/request-verification-email.ts';
import { signUp } from '../../../src/core/accounts/sign-up.ts';
import { verifyEmail } from '../../../src/core/accounts/verify-email.ts';
import { requestPasswordReset } from '../../../src/core/accounts/request-password-reset.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import type { MailMessage } from '../../../src/core/ports.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

const hourMs = 60 * 60 * 1000;

function tokenIn(mail: MailMessage | undefined, path: string): string {
  const match = new RegExp(`https://auth\\.test${path}\\?token=([^\\s]+)`).exec(mail?.text ?? '');
  assert.ok(match?.[1], `a ${path} link in: ${mail?.text}`);
  return decodeURIComponent(match[1]);
}

async function signedUp(core: TestCore, email: string): Promise<string> {
  await signUp(core, { email, password: testPassword }, testContext(`198.51.100.${core.outbox.sent.length + 1}`));
  return tokenIn(core.outbox.lastTo(email), '/verify');
}

describe('email verification', () => {
  it('with verification required, the right password is refused until the link is used; then it logs in (SEC-62)', async () => {
    const core = await createTestCore({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    const token = await signedUp(core, 'ada@example.com');
    await rejectsWithAuthError(logIn(core, { email: 'ada@example.com', password: 'a wrong password here' }, testContext()), 'invalid_credentials');
    await rejectsWithAuthError(logIn(core, { email: 'ada@example.com', password: testPassword }, testContext()), 'email_not_verified');
    assert.deepEqual(await verifyEmail(core, token, testContext()), { email: 'ada@example.com' });
    const { session } = await logIn(core, { email: 'ada@example.com', password: testPassword }, testContext());
    assert.ok(session.id);
    const types = (await core.store.audit.list({ limit: 20 })).map((e) => e.type);
    assert.ok(types.includes('email.verified'));
    assert.ok((await core.store.audit.list({ limit: 20 })).some((e) => e.type === 'login.failed' && e.detail === 'email_not_verified'));
  });

  it('SEC-6: the token has >= 128 bits of secret and only its SHA-256 is stored', async () => {
    const core = await createTestCore();
    const token = await signedUp(core, 'ada@example.com');
    const [id, secret] = token.split('.') as [string, string];
    assert.ok(Buffer.from(secret, 'base64url').length * 8 >= 128);
    const stored = await core.store.oneTimeTokens.findById(id);
    assert.ok(stored);
    assert.deepEqual(Buffer.from(stored.secretHash), createHash('sha256').update(secret).digest());
    assert.ok(!JSON.stringify({ ...stored, secretHash: [...stored.secretHash] }).includes(secret));
  });

  it('SEC-6: a used link is refused', async () => {
    const core = await createTestCore();
    const token = await signedUp(core, 'ada@example.com');
    await verifyEmail(core, token, testContext());
    await rejectsWithAuthError(verifyEmail(core, token, testContext()), 'invalid_link');
  });

  it('SEC-6: an expired link (24 hours) is refused; a minute before, it works', async () => {
    const core = await createTestCore();
    const early = await signedUp(core, 'early@example.com');
    const late = await signedUp(core, 'late@example.com');
    core.clock.advance(24 * hourMs - 60_000);
    await verifyEmail(core, early, testContext());
    core.clock.advance(60_000);
    await rejectsWithAuthError(verifyEmail(core, late, testContext()), 'invalid_link');
    assert.equal(await core.store.emailVerifications.find((await core.store.users.findByEmail('late@example.com'))!.id), null);
  });

  it("SEC-6: another user's link verifies only that user; a tampered or other-purpose token is refused", async () => {
    const core = await createTestCore();
    const adaToken = await signedUp(core, 'ada@example.com');
    const bobToken = await signedUp(core, 'bob@example.com');
    const [adaId] = adaToken.split('.') as [string];
    const [, bobSecret] = bobToken.split('.') as [string, string];
    await rejectsWithAuthError(verifyEmail(core, `${adaId}.${bobSecret}`, testContext()), 'invalid_link');
    await rejectsWithAuthError(verifyEmail(core, 'garbage', testContext()), 'invalid_link');
    await verifyEmail(core, bobToken, testContext());
    const ada = await core.store.users.findByEmail('ada@example.com');
    assert.equal(await core.store.emailVerifications.find(ada!.id), null, "bob's link did not verify ada");
    // A reset link is not a verification link.
    await requestPasswordReset(core, 'ada@example.com', testContext('198.51.100.77'));
    const resetToken = tokenIn(core.outbox.lastTo('ada@example.com'), '/reset');
    await rejectsWithAuthError(verifyEmail(core, resetToken, testContext()), 'invalid_link');
  });

  it('a resend voids the older link, is limited to one mail a minute, and mails nobody for unknown or verified addresses (SEC-92)', async () => {
    const core = await createTestCore();
    const first = await signedUp(core, 'ada@example.com');
    await requestVerificationEmail(core, 'ada@example.com', testContext('198.51.100.50'));
    assert.equal(core.outbox.sent.length, 1, 'a resend within a minute of the first mail is not sent');
    core.clock.advance(60_001);
    await requestVerificationEmail(core, 'ADA@example.com', testContext('198.51.100.50'));
    assert.equal(core.outbox.sent.length, 2);
    const second = tokenIn(core.outbox.lastTo('ada@example.com'), '/verify');
    await rejectsWithAuthError(verifyEmail(core, first, testContext()), 'invalid_link');
    await verifyEmail(core, second, testContext());
    core.clock.advance(60_001);
    await requestVerificationEmail(core, 'ada@example.com', testContext('198.51.100.50'));
    await requestVerificationEmail(core, 'nobody@example.com', testContext('198.51.100.50'));
    assert.equal(core.outbox.sent.length, 2, 'no mail for a verified address or an unknown one');
  });

  it('the operator CLI path (createAccount) counts as verified; a seeded account without proof does not', async () => {
    const core = await createTestCore({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    await seedUser(core, 'seeded@example.com');
    await rejectsWithAuthError(logIn(core, { email: 'seeded@example.com', password: testPassword }, testContext()), 'email_not_verified');
    const { createAccount } = await import('../../../src/core/accounts/create-account.ts');
    await createAccount(core, { email: 'operator@example.com', password: testPassword }, testContext());
    await logIn(core, { email: 'operator@example.com', password: testPassword }, testContext());
  });
});
