// Change of email address, request and confirmation: docs/security.md SEC-142, SEC-143, SEC-144, SEC-168.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changePassword } from '../../../src/core/accounts/change-password.ts';
import { confirmEmailChange } from '../../../src/core/accounts/confirm-email-change.ts';
import { requestEmailChange } from '../../../src/core/accounts/request-email-change.ts';
import { validateSession } from '../../../src/core/sessions/validate-session.ts';
import { explainSessionEnd } from '../../../src/core/sessions/explain-session-end.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, seedUser, signedIn, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

/** The token of the newest confirmation link mailed to `to`. */
function linkTokenTo(core: TestCore, to: string): string {
  const mail = core.outbox.lastTo(to);
  assert.equal(mail?.kind, 'email_change_confirm', `a confirmation mail to ${to}`);
  const token = /\/account\/email\/confirm\?token=([A-Za-z0-9_.-]+)/.exec(mail.text)?.[1];
  assert.ok(token, 'a link with a token');
  return token;
}

describe('change of email address', () => {
  it('SEC-142: asking changes nothing; the link goes to the new address, a notice to the old; confirming moves the account, verifies the address and ends the other sessions', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    const here = await signedIn(core, ada);
    const phone = await seedSession(core, ada.id);

    const answer = await requestEmailChange(core, here, { newEmail: ' Ada@New.Example ', proof: undefined }, testContext());
    assert.deepEqual(answer, { email: 'ada@new.example' });
    assert.equal((await core.store.users.findById(ada.id))?.email, 'ada@example.com', 'nothing changes before the link is confirmed');
    const notice = core.outbox.lastTo('ada@example.com');
    assert.equal(notice?.kind, 'security_notice');
    assert.match(notice.text, /asked to change its email address to ada@new\.example/);
    const token = linkTokenTo(core, 'ada@new.example');
    const stored = await core.store.oneTimeTokens.findById(token.split('.')[0]!);
    assert.equal(stored?.purpose, 'change_email');
    assert.equal(stored?.email, 'ada@new.example');
    assert.ok(!Buffer.from(stored.secretHash).toString('base64url').includes(token.split('.')[1]!), 'only a hash of the secret is stored');

    const confirmed = await confirmEmailChange(core, token, here, testContext());
    assert.equal(confirmed.user.email, 'ada@new.example');
    assert.equal(confirmed.keptSessionId, here.session.id);
    assert.equal((await core.store.users.findById(ada.id))?.email, 'ada@new.example');
    assert.equal(await core.store.users.findByEmail('ada@example.com'), null);
    assert.deepEqual((await core.store.emailVerifications.find(ada.id))?.email, 'ada@new.example');
    assert.equal(await validateSession(core, phone.token), null, 'the other session ended');
    assert.equal(await explainSessionEnd(core, phone.token), 'ended_elsewhere', 'and its browser is told why');
    assert.deepEqual((await core.store.sessions.listByUser(ada.id)).map((s) => s.id), [here.session.id], "the confirming browser's session stays");
    assert.equal(core.outbox.lastTo('ada@example.com')?.kind, 'security_notice', 'the old address hears that it is done');
    assert.match(core.outbox.lastTo('ada@example.com')!.text, /was changed to ada@new\.example/);

    // Single use; and a link from a browser signed in elsewhere or not at all keeps no session.
    await rejectsWithAuthError(confirmEmailChange(core, token, here, testContext()), 'invalid_link');
  });

  it('SEC-142: the link is refused when tampered with, garbage, or expired; a browser without a session keeps none', async () => {
    const core = await createTestCore();
    const bo = await seedUser(core, 'bo@example.com');
    const here = await signedIn(core, bo);
    await requestEmailChange(core, here, { newEmail: 'bo@new.example', proof: undefined }, testContext());
    const token = linkTokenTo(core, 'bo@new.example');
    const [id, secret] = token.split('.') as [string, string];
    await rejectsWithAuthError(confirmEmailChange(core, `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, null, testContext()), 'invalid_link');
    await rejectsWithAuthError(confirmEmailChange(core, 'garbage', null, testContext()), 'invalid_link');
    core.clock.advance(core.accountSecurity.policy.verificationTtlMs + 1);
    await rejectsWithAuthError(confirmEmailChange(core, token, null, testContext()), 'invalid_link');
    assert.equal((await core.store.users.findById(bo.id))?.email, 'bo@example.com');

    const again = await signedIn(core, bo);
    core.clock.advance(60 * 60_000);
    await requestEmailChange(core, again, { newEmail: 'bo@new.example', proof: { password: testPassword } }, testContext());
    const confirmed = await confirmEmailChange(core, linkTokenTo(core, 'bo@new.example'), null, testContext());
    assert.equal(confirmed.keptSessionId, null);
    assert.deepEqual(await core.store.sessions.listByUser(bo.id), [], 'confirmed from a browser without a session: every session ended');
  });

  it('needs a recent re-authentication, a valid and different address', async () => {
    const core = await createTestCore();
    const cy = await seedUser(core, 'cy@example.com');
    const here = await signedIn(core, cy);
    await rejectsWithAuthError(requestEmailChange(core, here, { newEmail: 'not an address', proof: undefined }, testContext()), 'invalid_email');
    await rejectsWithAuthError(requestEmailChange(core, here, { newEmail: 'CY@example.com', proof: undefined }, testContext()), 'email_unchanged');
    core.clock.advance(core.sessionPolicy.reauthWindowMs + 1);
    await rejectsWithAuthError(requestEmailChange(core, here, { newEmail: 'cy@new.example', proof: undefined }, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(requestEmailChange(core, here, { newEmail: 'cy@new.example', proof: { password: 'wrong password entirely' } }, testContext()), 'wrong_password');
    assert.equal(core.outbox.lastTo('cy@new.example'), undefined, 'no mail without the re-authentication');
    await requestEmailChange(core, here, { newEmail: 'cy@new.example', proof: { password: testPassword } }, testContext());
    assert.equal(core.outbox.lastTo('cy@new.example')?.kind, 'email_change_confirm');
  });

  it("SEC-143: an address that has an account gets the same answer and the same notice to the old address; its owner is told, no link is issued, nothing changes", async () => {
    const core = await createTestCore();
    const dee = await seedUser(core, 'dee@example.com');
    const taken = await seedUser(core, 'taken@example.com');
    const here = await signedIn(core, dee);
    const free = await requestEmailChange(core, here, { newEmail: 'free@example.com', proof: undefined }, testContext());
    const freeNotice = core.outbox.lastTo('dee@example.com')!;
    const answer = await requestEmailChange(core, here, { newEmail: 'taken@example.com', proof: undefined }, testContext());
    const takenNotice = core.outbox.lastTo('dee@example.com')!;
    assert.deepEqual(Object.keys(answer), Object.keys(free));
    assert.deepEqual(answer, { email: 'taken@example.com' });
    assert.equal(takenNotice.subject, freeNotice.subject);
    assert.equal(takenNotice.text.replace('taken@example.com', 'X'), freeNotice.text.replace('free@example.com', 'X'), 'the requester sees the same notice either way');
    assert.equal(core.outbox.lastTo('taken@example.com')?.kind, 'email_change_taken');
    assert.doesNotMatch(core.outbox.lastTo('taken@example.com')!.text, /token=/);
    assert.equal((await core.store.users.findById(taken.id))?.email, 'taken@example.com');
    assert.equal((await core.store.users.findById(dee.id))?.email, 'dee@example.com');

    // Taken between the request and the confirmation: refused, and nothing changes.
    const token = linkTokenTo(core, 'free@example.com');
    await seedUser(core, 'free@example.com');
    await rejectsWithAuthError(confirmEmailChange(core, token, here, testContext()), 'email_taken');
    assert.equal((await core.store.users.findById(dee.id))?.email, 'dee@example.com');
    assert.ok(await validateSession(core, (await seedSession(core, dee.id)).token), 'sessions untouched');
  });

  it('SEC-144: a password change after the request voids the pending link', async () => {
    const core = await createTestCore();
    const eve = await seedUser(core, 'eve@example.com');
    const here = await signedIn(core, eve);
    await requestEmailChange(core, here, { newEmail: 'attacker@example.net', proof: undefined }, testContext());
    const token = linkTokenTo(core, 'attacker@example.net');
    await changePassword(core, here, { currentPassword: testPassword, newPassword: 'a completely new passphrase here' }, testContext());
    await rejectsWithAuthError(confirmEmailChange(core, token, null, testContext()), 'invalid_link');
    assert.equal((await core.store.users.findById(eve.id))?.email, 'eve@example.com');
  });

  it('SEC-168: on an account with a second factor (here a passkey), a password-only session moves no address (the new mailbox would be a way in); a session that used the factor, or the mailbox, may', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada-factor@example.com');
    const nowMs = core.clock.nowMs();
    await core.store.passkeys.create({ id: 'pk-e', userId: ada.id, credentialId: 'Y3JlZC1l', publicKey: new Uint8Array([1, 2, 3]), counter: 0, transports: [], deviceType: 'singleDevice', backedUp: false, name: 'key', createdAtMs: nowMs, lastUsedAtMs: null });
    const phished = await signedIn(core, ada);
    await rejectsWithAuthError(requestEmailChange(core, phished, { newEmail: 'thief@example.com', proof: undefined }, testContext()), 'reauthentication_required');
    await rejectsWithAuthError(requestEmailChange(core, phished, { newEmail: 'thief@example.com', proof: { password: testPassword } }, testContext()), 'reauthentication_required');
    assert.equal(core.outbox.lastTo('thief@example.com'), undefined, 'no link went out');
    const withPasskey = { ...phished, session: { ...phished.session, amr: ['hwk', 'mfa', 'user'] } };
    assert.deepEqual(await requestEmailChange(core, withPasskey, { newEmail: 'ada-moved@example.com', proof: undefined }, testContext()), { email: 'ada-moved@example.com' });
  });
});
