import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemRandom } from '../../../src/core/clock.ts';
import { createArgon2idHasher, type PasswordHasher } from '../../../src/core/credentials/argon2id.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { AuthError } from '../../../src/core/errors.ts';
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
const wrongPassword = 'incorrect horse battery staple';
// Over the 512-byte cap: refused as a wrong password, but before any hashing. Used where a
// test needs failures on the counter and is not about the hash, to keep the suite fast.
const overCapPassword = 'x'.repeat(513);
const current = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;

/** Replaces core.hasher with a wrapper that records which stored hashes were verified. */
function spyOnHasher(core: TestCore): { verified: string[]; hashed: number } {
  const inner: PasswordHasher = core.hasher;
  const calls = { verified: [] as string[], hashed: 0 };
  core.hasher = {
    hash(password) {
      calls.hashed++;
      return inner.hash(password);
    },
    verify(storedHash, password) {
      calls.verified.push(storedHash);
      return inner.verify(storedHash, password);
    },
  };
  return calls;
}

async function failTimes(core: TestCore, times: number, input: { email: string; password: string }, ip?: string): Promise<void> {
  for (let i = 0; i < times; i++) {
    await rejectsWithAuthError(logIn(core, input, testContext(ip)), 'invalid_credentials');
  }
}

describe('logIn', () => {
  it('logs in with the right password and starts a session', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, email);
    const started = await logIn(core, { email, password: testPassword }, testContext('198.51.100.1', 'Firefox'));

    assert.equal(started.user.id, user.id);
    assert.equal(started.session.userId, user.id);
    assert.equal(started.session.ip, '198.51.100.1');
    assert.equal(started.session.userAgent, 'Firefox');
    assert.equal(started.session.createdAtMs, core.clock.nowMs());
    assert.equal(started.session.expiresAtMs, core.clock.nowMs() + core.sessionPolicy.absoluteTimeoutMs);
    assert.deepEqual((await core.store.sessions.listByUser(user.id)).map((s) => s.id), [started.session.id]);
    const validated = await validateSession(core, started.token);
    assert.equal(validated?.session.id, started.session.id);
    const [event] = await core.store.audit.list({ limit: 10, userId: user.id });
    assert.equal(event?.type, 'login.succeeded');
    assert.ok(!JSON.stringify(event).includes(started.token.split('.')[1] ?? '?'), 'no secret in the audit trail');
  });

  it('normalizes the email as typed', async () => {
    const core = await createTestCore();
    const user = await seedUser(core, email);
    const started = await logIn(core, { email: '  Alice@EXAMPLE.com ', password: testPassword }, testContext());
    assert.equal(started.user.id, user.id);
  });

  it('starts a new session id at every login', async () => {
    const core = await createTestCore();
    await seedUser(core, email);
    const first = await logIn(core, { email, password: testPassword }, testContext());
    const second = await logIn(core, { email, password: testPassword }, testContext());
    assert.notEqual(first.session.id, second.session.id);
    assert.notEqual(first.token, second.token);
  });

  describe('refusals look the same (SEC-47)', () => {
    it('refuses an unknown email and a wrong password with the same invalid_credentials error', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      const unknown = await rejectsWithAuthError(
        logIn(core, { email: 'nobody@example.com', password: testPassword }, testContext()),
        'invalid_credentials',
      );
      const wrong = await rejectsWithAuthError(logIn(core, { email, password: wrongPassword }, testContext()), 'invalid_credentials');
      assert.equal(unknown.status, 401);
      assert.deepEqual(
        { status: wrong.status, message: wrong.message, detail: wrong.detail, retry: wrong.retryAfterSeconds },
        { status: unknown.status, message: unknown.message, detail: unknown.detail, retry: unknown.retryAfterSeconds },
      );
      assert.deepEqual(await core.store.sessions.listByUser(user.id), []);
      const failures = (await core.store.audit.list({ limit: 10 })).filter((e) => e.type === 'login.failed');
      assert.deepEqual(failures.map((e) => e.detail).sort(), ['unknown_email', 'wrong_password']);
    });

    it('verifies the dummy hash when the email is unknown, so both paths cost one hash', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      const calls = spyOnHasher(core);
      await rejectsWithAuthError(logIn(core, { email: 'nobody@example.com', password: wrongPassword }, testContext()), 'invalid_credentials');
      await rejectsWithAuthError(logIn(core, { email: 'not an email', password: wrongPassword }, testContext()), 'invalid_credentials');
      await rejectsWithAuthError(logIn(core, { email, password: wrongPassword }, testContext()), 'invalid_credentials');
      assert.deepEqual(calls.verified, [core.dummyPasswordHash, core.dummyPasswordHash, user.passwordHash]);
      assert.equal(calls.hashed, 0);
    });

    it('refuses the password truncated or with its case flipped (SEC-4)', async () => {
      const core = await createTestCore();
      await seedUser(core, email, 'Correct Horse Battery Staple');
      await rejectsWithAuthError(logIn(core, { email, password: 'Correct Horse Battery Stapl' }, testContext()), 'invalid_credentials');
      await rejectsWithAuthError(logIn(core, { email, password: 'cORRECT hORSE bATTERY sTAPLE' }, testContext()), 'invalid_credentials');
    });

    it('refuses a password over the byte cap as invalid_credentials, before any hashing', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const calls = spyOnHasher(core);
      await rejectsWithAuthError(logIn(core, { email, password: 'a'.repeat(1024 * 1024) }, testContext()), 'invalid_credentials');
      assert.deepEqual(calls.verified, []);
    });
  });

  describe('hash upgrade (SEC-5)', () => {
    it('rehashes a hash made under older parameters, and the password still works', async () => {
      const core = await createTestCore();
      const older = createArgon2idHasher({ memoryKiB: 12_288, passes: 3, parallelism: 1 }, systemRandom);
      const user = await seedUser(core, email);
      const oldHash = await older.hash(testPassword);
      await core.store.users.updatePasswordHash(user.id, oldHash, core.clock.nowMs());

      core.clock.advance(5_000);
      const started = await logIn(core, { email, password: testPassword }, testContext());
      const stored = await core.store.users.findById(user.id);
      assert.ok(stored !== null);
      assert.notEqual(stored.passwordHash, oldHash);
      assert.match(stored.passwordHash ?? '', current);
      assert.equal(stored.updatedAtMs, core.clock.nowMs());
      assert.equal(started.user.passwordHash, stored.passwordHash, 'the returned user carries the new hash');
      assert.deepEqual(await core.hasher.verify(stored.passwordHash ?? '', testPassword), { matches: true, needsRehash: false });

      // The upgraded hash logs in and is left alone from now on.
      await logIn(core, { email, password: testPassword }, testContext());
      assert.equal((await core.store.users.findById(user.id))?.passwordHash, stored.passwordHash);
    });

    it('does not rehash on a failed login', async () => {
      const core = await createTestCore();
      const older = createArgon2idHasher({ memoryKiB: 12_288, passes: 3, parallelism: 1 }, systemRandom);
      const user = await seedUser(core, email);
      const oldHash = await older.hash(testPassword);
      await core.store.users.updatePasswordHash(user.id, oldHash, core.clock.nowMs());
      await rejectsWithAuthError(logIn(core, { email, password: wrongPassword }, testContext()), 'invalid_credentials');
      assert.equal((await core.store.users.findById(user.id))?.passwordHash, oldHash);
    });

    it('does not rewrite a hash that is already current', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      const calls = spyOnHasher(core);
      core.clock.advance(5_000);
      await logIn(core, { email, password: testPassword }, testContext());
      const stored = await core.store.users.findById(user.id);
      assert.equal(stored?.passwordHash, user.passwordHash);
      assert.equal(stored?.updatedAtMs, user.updatedAtMs);
      assert.equal(calls.hashed, 0);
    });
  });

  describe('disabled account', () => {
    it('refuses the right password with account_disabled and starts no session', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      await core.store.users.setDisabledAt(user.id, core.clock.nowMs(), core.clock.nowMs());
      const error = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'account_disabled');
      assert.equal(error.status, 403);
      assert.deepEqual(await core.store.sessions.listByUser(user.id), []);
    });

    it('answers a wrong password on a disabled account as invalid_credentials (no hint it exists)', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      await core.store.users.setDisabledAt(user.id, core.clock.nowMs(), core.clock.nowMs());
      await rejectsWithAuthError(logIn(core, { email, password: wrongPassword }, testContext()), 'invalid_credentials');
    });
  });

  describe('previous session (SEC-10)', () => {
    it('deletes the previous session at login and issues a different id', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      const planted = await seedSession(core, user.id);
      const previous = await validateSession(core, planted.token);
      assert.ok(previous);
      const started = await logIn(core, { email, password: testPassword, previousSession: previous }, testContext());
      assert.notEqual(started.session.id, planted.session.id);
      assert.equal(await core.store.sessions.findWithUser(planted.session.id), null);
      assert.equal(await validateSession(core, planted.token), null);
      assert.deepEqual((await core.store.sessions.listByUser(user.id)).map((s) => s.id), [started.session.id]);
    });

    it('accepts a previous session that has meanwhile been deleted', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      const planted = await seedSession(core, user.id);
      const previous = await validateSession(core, planted.token);
      assert.ok(previous);
      await core.store.sessions.delete(planted.session.id);
      const started = await logIn(core, { email, password: testPassword, previousSession: previous }, testContext());
      assert.ok(started.session.id.length > 0);
    });

    it('keeps the previous session when the login fails', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      const seeded = await seedSession(core, user.id);
      const previous = await validateSession(core, seeded.token);
      assert.ok(previous);
      await rejectsWithAuthError(
        logIn(core, { email, password: overCapPassword, previousSession: previous }, testContext()),
        'invalid_credentials',
      );
      assert.notEqual(await core.store.sessions.findWithUser(seeded.session.id), null);
    });
  });

  describe('per-account throttle (SEC-48, SEC-49)', () => {
    it('refuses the 6th attempt after 5 failures, even with the right password, and without hashing', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await failTimes(core, 5, { email, password: wrongPassword });

      const calls = spyOnHasher(core);
      const locked = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
      assert.equal(locked.status, 429);
      assert.equal(locked.retryAfterSeconds, 1);
      assert.deepEqual(calls.verified, [], 'a locked key costs no hash');

      core.clock.advance(400);
      const later = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
      assert.equal(later.retryAfterSeconds, 1, 'ceil(600 ms)');
    });

    it('grows the wait with each further failure, then lets the right password in once the clock passes it', async () => {
      const core = await createTestCore();
      const user = await seedUser(core, email);
      await failTimes(core, 5, { email, password: wrongPassword });

      const waits: number[] = [];
      for (let i = 0; i < 3; i++) {
        const locked = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
        assert.ok(locked.retryAfterSeconds !== undefined);
        waits.push(locked.retryAfterSeconds);
        core.clock.advance(locked.retryAfterSeconds * 1000 - 1);
        await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
        core.clock.advance(1);
        if (i < 2) await failTimes(core, 1, { email, password: wrongPassword });
      }
      assert.deepEqual(waits, [1, 2, 4]);

      const started = await logIn(core, { email, password: testPassword }, testContext());
      assert.equal(started.user.id, user.id);
    });

    it('caps the wait at maxDelayMs (15 minutes), so the lock is always temporary', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      // 5 free failures + 11 doublings: 1 s * 2^11 = 34 min, capped at 15 min.
      for (let i = 0; i < 16; i++) {
        await rejectsWithAuthError(logIn(core, { email, password: overCapPassword }, testContext()), 'invalid_credentials');
        core.clock.advance(16 * 60_000);
      }
      await rejectsWithAuthError(logIn(core, { email, password: overCapPassword }, testContext()), 'invalid_credentials');
      const locked = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
      assert.equal(locked.retryAfterSeconds, 900);
      core.clock.advance(900_000);
      await logIn(core, { email, password: testPassword }, testContext());
    });

    it('holds identically for an email with no account', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const ghost = 'ghost@example.com';
      await failTimes(core, 5, { email, password: wrongPassword });
      await failTimes(core, 5, { email: ghost, password: wrongPassword });
      const real = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
      const none = await rejectsWithAuthError(logIn(core, { email: ghost, password: testPassword }, testContext()), 'too_many_requests');
      assert.equal(none.retryAfterSeconds, real.retryAfterSeconds);
      assert.equal(none.message, real.message);
    });

    it('keys on the normalized email, so changing its case or spacing does not escape the lock', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await failTimes(core, 5, { email, password: overCapPassword });
      await rejectsWithAuthError(logIn(core, { email: ' ALICE@Example.com', password: testPassword }, testContext()), 'too_many_requests');
    });

    it('holds when the attempts come from many IPs', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      for (let i = 1; i <= 5; i++) {
        await failTimes(core, 1, { email, password: overCapPassword }, `192.0.2.${i}`);
      }
      await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext('192.0.2.99')), 'too_many_requests');
    });

    it('counts wrong passwords of normal length, not only over-cap ones', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await failTimes(core, 4, { email, password: overCapPassword });
      await failTimes(core, 1, { email, password: wrongPassword });
      await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
    });

    it('clears the account counter on a successful login', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await failTimes(core, 4, { email, password: overCapPassword });
      await logIn(core, { email, password: testPassword }, testContext());
      await failTimes(core, 4, { email, password: overCapPassword });
      await logIn(core, { email, password: testPassword }, testContext());
    });

    it('forgets failures older than resetAfterMs (24 h)', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await failTimes(core, 4, { email, password: overCapPassword });
      core.clock.advance(24 * 60 * 60 * 1000 + 1);
      await failTimes(core, 4, { email, password: overCapPassword });
      await logIn(core, { email, password: testPassword }, testContext());
    });

    it('does not lock a different account', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await seedUser(core, 'bob@example.com');
      await failTimes(core, 5, { email, password: overCapPassword });
      await logIn(core, { email: 'bob@example.com', password: testPassword }, testContext());
    });

    it('lets no more than freeFailures guesses through when they arrive concurrently (SEC-89)', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const calls = spyOnHasher(core);
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) => logIn(core, { email, password: `${wrongPassword} ${i}` }, testContext())),
      );
      const codes = results.map((r) => (r.status === 'rejected' && r.reason instanceof AuthError ? r.reason.code : String(r.status)));
      const guessed = codes.filter((c) => c === 'invalid_credentials').length;
      assert.ok(guessed <= 5, `${guessed} concurrent password guesses were verified; the rule allows 5`);
      assert.deepEqual(codes.sort(), [...Array(5).fill('invalid_credentials'), ...Array(3).fill('too_many_requests')]);
      assert.equal(calls.verified.length, 5, 'the refused guesses cost no hash');
      // The lock holds for the right password too, until the clock passes it.
      await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext()), 'too_many_requests');
      core.clock.advance(1_000);
      await logIn(core, { email, password: testPassword }, testContext());
    });
  });

  describe('per-IP throttle (SEC-49)', () => {
    it('locks one IP after 20 failures across many accounts, and only that IP', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const attacker = '203.0.113.66';
      for (let i = 0; i < 20; i++) {
        await failTimes(core, 1, { email: `victim${i}@example.com`, password: overCapPassword }, attacker);
      }
      const locked = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext(attacker)), 'too_many_requests');
      assert.equal(locked.retryAfterSeconds, 1);
      await rejectsWithAuthError(
        logIn(core, { email: 'victim0@example.com', password: testPassword }, testContext(attacker)),
        'too_many_requests',
      );

      // The accounts themselves were tried once each: from another IP they are open.
      await logIn(core, { email, password: testPassword }, testContext('198.51.100.20'));
    });

    it('forgets IP failures after its resetAfterMs (1 h)', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const attacker = '203.0.113.66';
      for (let i = 0; i < 19; i++) {
        await failTimes(core, 1, { email: `victim${i}@example.com`, password: overCapPassword }, attacker);
      }
      core.clock.advance(60 * 60 * 1000 + 1);
      await failTimes(core, 1, { email: 'victim19@example.com', password: overCapPassword }, attacker);
      await logIn(core, { email, password: testPassword }, testContext(attacker));
    });

    it('many different users behind one IP (a NAT) logging in at once: the free budget goes through together, the rest retry in 1 s, nothing stays counted (SEC-169)', async () => {
      // The decision behind this (issue 17): an IP's in-flight attempts count against its limit,
      // so a burst of parallel guesses across accounts is cut at the free budget. Correct logins
      // are refunded as they finish, so a NAT's users are refused only while more than the
      // budget are hashing at the same instant, and only for a second, never locked out.
      const core = await createTestCore();
      const office = '203.0.113.90';
      const users = Array.from({ length: 30 }, (_, i) => `colleague${i}@example.com`);
      for (const user of users) await seedUser(core, user);
      const calls = spyOnHasher(core);
      const results = await Promise.allSettled(users.map((user) => logIn(core, { email: user, password: testPassword }, testContext(office))));
      const refused = results.flatMap((r, i) => (r.status === 'rejected' ? [{ user: users[i] as string, error: r.reason as AuthError }] : []));
      assert.equal(results.length - refused.length, 20, 'the IP budget (20) logged in together');
      assert.equal(calls.verified.length, 20, 'a refused attempt costs no hash');
      for (const { error } of refused) {
        assert.equal(error.code, 'too_many_requests');
        assert.equal(error.retryAfterSeconds, 1);
      }
      // Nothing was left counted: the refused ones get in at once, together, with no clock change.
      const retried = await Promise.allSettled(refused.map(({ user }) => logIn(core, { email: user, password: testPassword }, testContext(office))));
      assert.deepEqual(retried.map((r) => r.status), Array(refused.length).fill('fulfilled'));
      // A parallel burst of wrong guesses from that IP is still cut at the same budget.
      const guesses = await Promise.allSettled(users.map((user) => logIn(core, { email: user, password: wrongPassword }, testContext(office))));
      const codes = guesses.map((r) => (r.status === 'rejected' && r.reason instanceof AuthError ? r.reason.code : r.status));
      assert.equal(codes.filter((c) => c === 'invalid_credentials').length, 20);
      assert.equal(codes.filter((c) => c === 'too_many_requests').length, 10);
    });

    it('does not count a successful login against the IP (the reserved attempt is refunded)', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const office = '203.0.113.80';
      for (let i = 0; i < 19; i++) {
        await failTimes(core, 1, { email: `typo${i}@example.com`, password: overCapPassword }, office);
      }
      for (let i = 0; i < 5; i++) await logIn(core, { email, password: testPassword }, testContext(office));
      // 19 failures and 5 successes: the IP has exactly one free failure left.
      await failTimes(core, 1, { email: 'typo19@example.com', password: overCapPassword }, office);
      await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext(office)), 'too_many_requests');
    });

    it('does not count an attempt refused by the account lock against the IP', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      const attacker = '203.0.113.66';
      await failTimes(core, 5, { email, password: overCapPassword }, attacker);
      for (let i = 0; i < 30; i++) {
        await rejectsWithAuthError(logIn(core, { email, password: wrongPassword }, testContext(attacker)), 'too_many_requests');
      }
      // Only the 5 guesses that were verified count against the IP: 15 more are free.
      await seedUser(core, 'bob@example.com');
      await logIn(core, { email: 'bob@example.com', password: testPassword }, testContext(attacker));
      for (let i = 0; i < 15; i++) {
        await failTimes(core, 1, { email: `victim${i}@example.com`, password: overCapPassword }, attacker);
      }
      await rejectsWithAuthError(logIn(core, { email: 'bob@example.com', password: testPassword }, testContext(attacker)), 'too_many_requests');
    });

    it('does not renew an expired IP lock when someone on that IP logs in successfully', async () => {
      const core = await createTestCore();
      await seedUser(core, email);
      await seedUser(core, 'bob@example.com');
      const shared = '203.0.113.90'; // one NAT, many people
      for (let i = 0; i < 20; i++) {
        await failTimes(core, 1, { email: `typo${i}@example.com`, password: overCapPassword }, shared);
      }
      core.clock.advance(1_000); // the 1 s IP lock is over
      await logIn(core, { email, password: testPassword }, testContext(shared));
      await logIn(core, { email: 'bob@example.com', password: testPassword }, testContext(shared));
      // The successes left the IP as the failures did: its next failure is its 21st, a 2 s wait from now.
      await failTimes(core, 1, { email: 'typo20@example.com', password: overCapPassword }, shared);
      const locked = await rejectsWithAuthError(logIn(core, { email, password: testPassword }, testContext(shared)), 'too_many_requests');
      assert.equal(locked.retryAfterSeconds, 2);
    });
  });
});
