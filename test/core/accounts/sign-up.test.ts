import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signUp } from '../../../src/core/accounts/sign-up.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import type { PasswordHasher } from '../../../src/core/credentials/argon2id.ts';
import { AuthError } from '../../../src/core/errors.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

function countHashes(core: TestCore): { count: number } {
  const inner: PasswordHasher = core.hasher;
  const calls = { count: 0 };
  core.hasher = {
    hash: (password) => {
      calls.count++;
      return inner.hash(password);
    },
    verify: (stored, password) => inner.verify(stored, password),
  };
  return calls;
}

describe('signUp', () => {
  it('creates the account, logs nobody in, and mails a verification link to the address', async () => {
    const core = await createTestCore();
    const answer = await signUp(core, { email: '  Alice@Example.COM ', password: testPassword }, testContext('198.51.100.4', 'Safari'));
    assert.deepEqual(answer, { email: 'alice@example.com' });

    const user = await core.store.users.findByEmail('alice@example.com');
    assert.ok(user);
    assert.match(user.passwordHash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(user.disabledAtMs, null);
    assert.equal(user.createdAtMs, core.clock.nowMs());
    assert.deepEqual(await core.store.sessions.listByUser(user.id), [], 'sign-up starts no session');
    assert.equal(await core.store.emailVerifications.find(user.id), null, 'unverified until the link is opened');
    const types = (await core.store.audit.list({ limit: 10, userId: user.id })).map((e) => e.type).sort();
    assert.deepEqual(types, ['email.verification_sent', 'user.signed_up']);

    assert.equal(core.outbox.sent.length, 1);
    const mail = core.outbox.lastTo('alice@example.com');
    assert.equal(mail?.kind, 'verify_email');
    assert.match(mail?.text ?? '', /https:\/\/auth\.test\/verify\?token=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/);

    // ...and the password it was given logs in (verification is not required in this core).
    await logIn(core, { email: 'alice@example.com', password: testPassword }, testContext());
  });

  it('an address that has an account: the same answer, nothing changes, and its owner gets a mail instead (SEC-47)', async () => {
    const core = await createTestCore();
    const existing = await seedUser(core, 'alice@example.com');
    const hashes = countHashes(core);
    const answer = await signUp(core, { email: 'ALICE@example.com', password: 'another long passphrase' }, testContext());
    assert.deepEqual(answer, { email: 'alice@example.com' }, 'the same answer as for a new address');
    assert.equal(hashes.count, 1, 'the password is hashed all the same, so both paths cost one hash');
    assert.deepEqual((await core.store.users.list({ limit: 10 })).map((u) => u.id), [existing.id]);
    assert.deepEqual(await core.store.sessions.listByUser(existing.id), []);
    assert.equal((await core.store.users.findById(existing.id))?.passwordHash, existing.passwordHash, 'the existing account is untouched');
    assert.deepEqual(core.outbox.sent.map((m) => [m.kind, m.to]), [['signup_existing_account', 'alice@example.com']]);
    assert.ok(!core.outbox.sent[0]?.text.includes('/verify'), 'no verification link for an account that exists');
    const [event] = await core.store.audit.list({ limit: 1 });
    assert.equal(event?.type, 'signup.existing_email');
    assert.equal(event?.userId, existing.id);
  });

  it('repeated sign-ups for one address mail it at most once a minute (SEC-92)', async () => {
    const core = await createTestCore();
    await seedUser(core, 'alice@example.com');
    for (let i = 0; i < 3; i++) await signUp(core, { email: 'alice@example.com', password: testPassword }, testContext(`198.51.100.${i + 1}`));
    assert.equal(core.outbox.sent.length, 1);
    core.clock.advance(61_000);
    await signUp(core, { email: 'alice@example.com', password: testPassword }, testContext('198.51.100.9'));
    assert.equal(core.outbox.sent.length, 2);
  });

  it('refuses an invalid email with invalid_email', async () => {
    const core = await createTestCore();
    await rejectsWithAuthError(signUp(core, { email: 'alice@example.com\r\nBcc: x@y.z', password: testPassword }, testContext()), 'invalid_email');
    await rejectsWithAuthError(signUp(core, { email: 'not-an-email', password: testPassword }, testContext()), 'invalid_email');
    assert.deepEqual(await core.store.users.list({ limit: 10 }), []);
  });

  describe('applies the password policy before hashing', () => {
    const cases: Array<[string, string, 'password_too_short' | 'password_too_long' | 'password_too_common' | 'password_matches_email']> = [
      ['14 characters', 'a'.repeat(14), 'password_too_short'],
      ['1 MB', 'a'.repeat(1024 * 1024), 'password_too_long'],
      ['a common password', 'MAILCREATED5240', 'password_too_common'],
      ['the email', 'Alice.Liddell@Example.com', 'password_matches_email'],
    ];
    for (const [what, password, code] of cases) {
      it(`refuses ${what} with ${code}`, async () => {
        const core = await createTestCore();
        const hashes = countHashes(core);
        await rejectsWithAuthError(signUp(core, { email: 'alice.liddell@example.com', password }, testContext()), code);
        assert.equal(hashes.count, 0);
        assert.deepEqual(await core.store.users.list({ limit: 10 }), []);
      });
    }
  });

  describe('signup IP throttle', () => {
    it('lets no more than 10 concurrent attempts from one IP through (SEC-89)', async () => {
      const core = await createTestCore();
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, i) => signUp(core, { email: `bad-${i}`, password: testPassword }, testContext())),
      );
      const throttled = results.filter((r) => r.status === 'rejected' && r.reason instanceof AuthError && r.reason.code === 'too_many_requests');
      assert.ok(throttled.length >= 20, `only ${throttled.length} of 30 concurrent sign-ups were throttled; the rule allows 10`);
      const invalid = results.filter((r) => r.status === 'rejected' && r.reason instanceof AuthError && r.reason.code === 'invalid_email');
      assert.equal(invalid.length, 10, 'exactly the 10 free attempts got as far as validation');
    });

    it('allows 10 attempts per IP, successful or not, then refuses with too_many_requests (SEC-91)', async () => {
      const core = await createTestCore();
      const ip = '203.0.113.50';
      await signUp(core, { email: 'first@example.com', password: testPassword }, testContext(ip));
      for (let i = 0; i < 9; i++) {
        await rejectsWithAuthError(signUp(core, { email: `bad-${i}`, password: testPassword }, testContext(ip)), 'invalid_email');
      }
      const hashes = countHashes(core);
      const error = await rejectsWithAuthError(
        signUp(core, { email: 'valid@example.com', password: testPassword }, testContext(ip)),
        'too_many_requests',
      );
      assert.equal(error.retryAfterSeconds, 10);
      assert.equal(hashes.count, 0, 'a throttled sign-up costs no hash');
      assert.equal(await core.store.users.findByEmail('valid@example.com'), null);
    });

    it('only locks that IP, and the lock ends with the clock', async () => {
      const core = await createTestCore();
      const ip = '203.0.113.50';
      for (let i = 0; i < 10; i++) {
        await rejectsWithAuthError(signUp(core, { email: `bad-${i}`, password: testPassword }, testContext(ip)), 'invalid_email');
      }
      await rejectsWithAuthError(signUp(core, { email: 'bad', password: testPassword }, testContext(ip)), 'too_many_requests');
      await rejectsWithAuthError(signUp(core, { email: 'bad', password: testPassword }, testContext('198.51.100.9')), 'invalid_email');

      core.clock.advance(10_000);
      await rejectsWithAuthError(signUp(core, { email: 'bad', password: testPassword }, testContext(ip)), 'invalid_email');
      // That 11th attempt counted too: the next wait doubles.
      const error = await rejectsWithAuthError(signUp(core, { email: 'bad', password: testPassword }, testContext(ip)), 'too_many_requests');
      assert.equal(error.retryAfterSeconds, 20);
    });
  });
});
