import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { finishPasskeySignup, requestPasskeySignup, startPasskeySignup } from '../../../src/core/passkeys/passkey-signup.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, testContext, testPublicUrl, type TestCore } from '../../support/core-deps.ts';
import { createSoftAuthenticator } from '../../support/soft-authenticator.ts';

/** The token of the last sign-up link mailed to `email`. */
function linkToken(core: TestCore, email: string): string {
  const mail = core.outbox.lastTo(email);
  assert.equal(mail?.kind, 'passkey_signup', `no sign-up link to ${email}`);
  const link = /https:\/\/auth\.test\/signup\/passkey\/finish\?token=[^\s"<]+/.exec(mail.text)?.[0];
  assert.ok(link !== undefined, 'the mail carries the link');
  const token = new URL(link).searchParams.get('token');
  assert.ok(token !== null);
  return token;
}

/** Asks for a sign-up link for `email` and returns the token it carries. */
async function mailedLink(core: TestCore, email: string): Promise<string> {
  await requestPasskeySignup(core, email, testContext());
  return linkToken(core, email);
}

describe('signing up with a passkey only (docs/security.md SEC-185)', () => {
  test('the address is proved by the mailed link first; the passkey then makes the account: no password, address verified, logged in, amr mfa', async () => {
    const core = await createTestCore();
    const email = 'only-passkey@example.com';
    assert.deepEqual(await requestPasskeySignup(core, email, testContext()), { email });
    assert.equal(await core.store.users.findByEmail(email), null, 'no account before the passkey');
    const token = linkToken(core, email);

    const started = await startPasskeySignup(core, token);
    assert.equal(started.email, email);
    assert.equal(started.options.rp.id, 'auth.test');
    assert.equal(started.options.authenticatorSelection?.residentKey, 'required');
    assert.equal(started.options.authenticatorSelection?.userVerification, 'required');
    assert.equal(started.options.attestation, 'none');
    assert.equal(await core.store.users.findByEmail(email), null, 'still none while the passkey is being made');

    const authenticator = createSoftAuthenticator({ origin: testPublicUrl });
    const done = await finishPasskeySignup(core, { token, ceremonyToken: started.ceremonyToken, name: 'Phone', response: authenticator.register(started.options) }, testContext());
    assert.equal(done.user.email, email);
    assert.equal(done.user.passwordHash, null, 'a passkey instead of a password');
    assert.deepEqual(done.amr, ['hwk', 'mfa', 'user']);
    assert.equal(Buffer.from(started.options.user.id, 'base64url').toString('utf8'), done.user.id, 'the passkey is made for the account the link names');
    assert.equal((await core.store.emailVerifications.find(done.user.id))?.email, email);
    const [passkey] = await core.store.passkeys.listByUser(done.user.id);
    assert.equal(passkey?.name, 'Phone');
    assert.equal(passkey?.credentialId, authenticator.credentials[0]?.id);
    assert.equal((await validateSession(core, done.token))?.user.id, done.user.id);
    const audit: string[] = (await core.store.audit.list({ limit: 20, userId: done.user.id })).map((e) => e.type);
    for (const type of ['user.signed_up', 'email.verified', 'passkey.registered', 'login.succeeded']) assert.ok(audit.includes(type), type);
  });

  test('the link makes one account: used again once the account exists, it is invalid', async () => {
    const core = await createTestCore();
    const email = 'once@example.com';
    const token = await mailedLink(core, email);
    const started = await startPasskeySignup(core, token);
    await finishPasskeySignup(core, { token, ceremonyToken: started.ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(started.options) }, testContext());
    await rejectsWithAuthError(startPasskeySignup(core, token), 'invalid_link');
    await rejectsWithAuthError(finishPasskeySignup(core, { token, ceremonyToken: started.ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(started.options) }, testContext()), 'invalid_link');
  });

  test('the link is used up with its account: after that account is deleted, or moved to another address, the same link makes nothing (docs/security.md SEC-218)', async () => {
    const core = await createTestCore();
    for (const afterwards of ['deleted', 'moved'] as const) {
      const email = `used-${afterwards}@example.com`;
      const token = await mailedLink(core, email);
      const started = await startPasskeySignup(core, token);
      const done = await finishPasskeySignup(core, { token, ceremonyToken: started.ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(started.options) }, testContext());
      if (afterwards === 'deleted') assert.equal(await core.store.users.delete(done.user.id), true);
      else assert.equal(await core.store.users.updateEmail(done.user.id, `elsewhere-${afterwards}@example.com`, core.clock.nowMs()), 'updated');
      // The address is free again and the link has not expired: still, nothing is made (and no error but invalid_link).
      const again = await startPasskeySignup(core, token).catch((error: unknown) => error);
      if (afterwards === 'moved') assert.equal((again as { code?: string }).code, 'invalid_link', 'its account still exists under another address');
      const ceremony = afterwards === 'moved' ? started : (again as Awaited<ReturnType<typeof startPasskeySignup>>);
      await rejectsWithAuthError(finishPasskeySignup(core, { token, ceremonyToken: ceremony.ceremonyToken, response: createSoftAuthenticator({ origin: testPublicUrl }).register(ceremony.options) }, testContext()), 'invalid_link');
      assert.equal(await core.store.users.findByEmail(email), null, afterwards);
      assert.equal((await core.store.users.findById(done.user.id))?.email ?? null, afterwards === 'moved' ? `elsewhere-${afterwards}@example.com` : null);
    }
  });

  test('an address that has an account gets the same answer and no link (its owner is told by mail)', async () => {
    const core = await createTestCore();
    await seedUser(core, 'taken@example.com');
    assert.deepEqual(await requestPasskeySignup(core, 'taken@example.com', testContext()), { email: 'taken@example.com' });
    assert.equal(core.outbox.lastTo('taken@example.com')?.kind, 'signup_existing_account');
    assert.equal(core.outbox.sent.filter((m) => m.kind === 'passkey_signup').length, 0);
  });

  test('a changed or expired link is invalid, and makes nothing', async () => {
    const core = await createTestCore();
    const email = 'late@example.com';
    const token = await mailedLink(core, email);
    const [head, key, iv, body, tag] = token.split('.') as [string, string, string, string, string];
    const flipped = `${head}.${key}.${iv}.${body.slice(0, -2)}${body.endsWith('AA') ? 'BA' : 'AA'}.${tag}`;
    await rejectsWithAuthError(startPasskeySignup(core, flipped), 'invalid_link');
    core.clock.advance(core.accountSecurity.policy.verificationTtlMs + 1);
    await rejectsWithAuthError(startPasskeySignup(core, token), 'invalid_link');
    assert.equal(await core.store.users.findByEmail(email), null);
  });

  test('the ceremony is bound to its link: an answer carried to another sign-up is refused, and no account is made (docs/security.md SEC-172)', async () => {
    const core = await createTestCore();
    await requestPasskeySignup(core, 'first@example.com', testContext());
    await requestPasskeySignup(core, 'second@example.com', testContext());
    const first = linkToken(core, 'first@example.com');
    const second = linkToken(core, 'second@example.com');
    const started = await startPasskeySignup(core, first);
    const response = createSoftAuthenticator({ origin: testPublicUrl }).register(started.options);
    await rejectsWithAuthError(finishPasskeySignup(core, { token: second, ceremonyToken: started.ceremonyToken, response }, testContext()), 'passkey_challenge_invalid');
    assert.equal(await core.store.users.findByEmail('second@example.com'), null);
    assert.equal(await core.store.users.findByEmail('first@example.com'), null);
  });

  test('a passkey made without user verification is refused, and no account is made (docs/security.md SEC-175)', async () => {
    const core = await createTestCore();
    const email = 'no-uv@example.com';
    const token = await mailedLink(core, email);
    const started = await startPasskeySignup(core, token);
    const response = createSoftAuthenticator({ origin: testPublicUrl }).register(started.options, { userVerified: false });
    await rejectsWithAuthError(finishPasskeySignup(core, { token, ceremonyToken: started.ceremonyToken, response }, testContext()), 'passkey_registration_failed');
    assert.equal(await core.store.users.findByEmail(email), null);
  });
});
