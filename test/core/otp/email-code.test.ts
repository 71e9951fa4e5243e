// Emailed one-time codes with an injected clock: docs/security.md SEC-43 and SEC-44.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reauthenticate } from '../../../src/core/accounts/reauthenticate.ts';
import { logInWithEmailCode, requestLoginCode } from '../../../src/core/credentials/email-code-login.ts';
import { sendEmailCode } from '../../../src/core/otp/email-code.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedUser, signedIn, testContext, type TestCore } from '../../support/core-deps.ts';

function codeTo(core: TestCore, email: string): string {
  const match = /^ {4}(\d{6,8})$/m.exec(core.outbox.lastTo(email)?.text ?? '');
  assert.ok(match?.[1], 'a code in the last mail');
  return match[1];
}

const other = (code: string): string => String((Number(code) + 1) % 1_000_000).padStart(code.length, '0');

describe('emailed one-time codes', () => {
  it('a code logs in once, is 6 digits, and the address counts as verified afterwards', async () => {
    const core = await createTestCore({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    const ada = await seedUser(core, 'ada@example.com');
    await requestLoginCode(core, 'Ada@Example.com', testContext());
    const code = codeTo(core, 'ada@example.com');
    assert.match(code, /^\d{6}$/);
    const step = await logInWithEmailCode(core, { email: 'ada@example.com', code }, testContext());
    assert.equal(step.kind, 'session');
    assert.ok(await core.store.emailVerifications.find(ada.id));
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code }, testContext()), 'invalid_code');
    const stored = await core.store.emailCodes.find(ada.id);
    assert.equal(stored, null, 'used up');
  });

  it('8 digits when configured; the stored form is a keyed hash, not the code', async () => {
    const core = await createTestCore({ accountSecurityPolicy: { emailCodeDigits: 8 } });
    const ada = await seedUser(core, 'ada@example.com');
    await requestLoginCode(core, 'ada@example.com', testContext());
    const code = codeTo(core, 'ada@example.com');
    assert.match(code, /^\d{8}$/);
    const stored = await core.store.emailCodes.find(ada.id);
    assert.equal(stored?.codeHash.length, 32);
    assert.ok(!Buffer.from(stored!.codeHash).toString('latin1').includes(code));
  });

  it('SEC-43: refused after 10 minutes', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    await requestLoginCode(core, 'ada@example.com', testContext());
    const code = codeTo(core, 'ada@example.com');
    core.clock.advance(10 * 60_000);
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code }, testContext()), 'invalid_code');
  });

  it('SEC-43: a code issued for another purpose or another account is refused', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    await seedUser(core, 'bob@example.com');
    await sendEmailCode(core, ada, 'reauth', testContext());
    const reauthCode = codeTo(core, 'ada@example.com');
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code: reauthCode }, testContext()), 'invalid_code');
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'bob@example.com', code: reauthCode }, testContext()), 'invalid_code');
    core.clock.advance(61_000);
    await requestLoginCode(core, 'ada@example.com', testContext());
    const loginCode = codeTo(core, 'ada@example.com');
    await rejectsWithAuthError(reauthenticate(core, await signedIn(core, ada), { emailCode: loginCode }, testContext()), 'invalid_code');
  });

  it('SEC-44: wrong codes are capped per account; a resend voids the old code but keeps the count', async () => {
    const core = await createTestCore();
    await seedUser(core, 'ada@example.com');
    await requestLoginCode(core, 'ada@example.com', testContext());
    const first = codeTo(core, 'ada@example.com');
    for (let i = 0; i < 3; i++) await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code: other(first) }, testContext(`198.51.100.${i}`)), 'invalid_code');
    core.clock.advance(61_000);
    await requestLoginCode(core, 'ada@example.com', testContext());
    const second = codeTo(core, 'ada@example.com');
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code: first }, testContext('198.51.100.9')), 'invalid_code');
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code: other(second) }, testContext('198.51.100.10')), 'invalid_code');
    // Five failures (3 + 2) across two codes and many IPs: now even the right code waits.
    const locked = await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ada@example.com', code: second }, testContext('198.51.100.11')), 'too_many_requests');
    assert.ok((locked.retryAfterSeconds ?? 0) >= 1);
    core.clock.advance(60_000);
    assert.equal((await logInWithEmailCode(core, { email: 'ada@example.com', code: second }, testContext('198.51.100.12'))).kind, 'session');
  });

  it('an unknown address: no mail, no error on request; refused like a wrong code on use', async () => {
    const core = await createTestCore();
    await requestLoginCode(core, 'ghost@example.com', testContext());
    assert.deepEqual(core.outbox.sent, []);
    await rejectsWithAuthError(logInWithEmailCode(core, { email: 'ghost@example.com', code: '123456' }, testContext()), 'invalid_code');
  });

  it('re-authentication accepts a reauth code once', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    await sendEmailCode(core, ada, 'reauth', testContext());
    const code = codeTo(core, 'ada@example.com');
    await reauthenticate(core, await signedIn(core, ada), { emailCode: code }, testContext());
    await rejectsWithAuthError(reauthenticate(core, await signedIn(core, ada), { emailCode: code }, testContext()), 'invalid_code');
  });
});
