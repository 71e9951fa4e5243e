// Back-channel logout on every cause of a session end: docs/security.md SEC-223, SEC-225.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changePassword } from '../../../src/core/accounts/change-password.ts';
import { confirmEmailChange } from '../../../src/core/accounts/confirm-email-change.ts';
import { deleteAccount, deleteAccountAsOperator } from '../../../src/core/accounts/delete-account.ts';
import { requestEmailChange } from '../../../src/core/accounts/request-email-change.ts';
import { requestPasswordReset } from '../../../src/core/accounts/request-password-reset.ts';
import { resetPassword } from '../../../src/core/accounts/reset-password.ts';
import { disableAccount } from '../../../src/core/accounts/set-account-disabled.ts';
import { revokeConnectedApp } from '../../../src/core/connected-apps/connected-apps.ts';
import { logIn } from '../../../src/core/credentials/log-in.ts';
import { backchannelLogoutKindName, type BackchannelLogoutPayload } from '../../../src/core/logout/enqueue-backchannel-logouts.ts';
import type { SessionWithUser, User } from '../../../src/core/ports.ts';
import { logOut } from '../../../src/core/sessions/log-out.ts';
import { revokeAllSessions } from '../../../src/core/sessions/revoke-all-sessions.ts';
import { revokeOtherSessions } from '../../../src/core/sessions/revoke-other-sessions.ts';
import { revokeSession } from '../../../src/core/sessions/revoke-session.ts';
import { endExpiredSessions } from '../../../src/core/sessions/end-expired-sessions.ts';
import { clientRecord } from '../../support/client-record.ts';
import { createTestCore, seedUser, signedIn, testContext, testPassword, type TestCore } from '../../support/core-deps.ts';

const logoutUri = 'https://notes.example/backchannel-logout';
const otherUri = 'https://chat.example/backchannel-logout';

async function setUp(): Promise<{ core: TestCore; ada: User; laptop: SessionWithUser; phone: SessionWithUser }> {
  const core = await createTestCore();
  const basics = { type: 'confidential' as const, secretHash: null, grantTypes: ['authorization_code' as const], refreshTokenDelivery: 'body' as const, createdAtMs: 0 };
  await core.store.clients.create(clientRecord({ ...basics, id: 'notes', name: 'Notes', audience: 'notes' }, { backchannelLogoutUri: logoutUri }));
  await core.store.clients.create(clientRecord({ ...basics, id: 'chat', name: 'Chat', audience: 'chat' }, { backchannelLogoutUri: otherUri }));
  await core.store.clients.create(clientRecord({ ...basics, id: 'plain', name: 'No back-channel', audience: 'plain' }));
  const ada = await seedUser(core, 'ada@example.com');
  const laptop = await signedIn(core, ada);
  const phone = await signedIn(core, ada);
  // The laptop session reached all three apps, the phone only chat.
  for (const [session, clientId] of [[laptop, 'notes'], [laptop, 'chat'], [laptop, 'plain'], [phone, 'chat']] as const) {
    const nowMs = core.clock.nowMs();
    await core.store.sessionClients.record({ sessionId: session.session.id, clientId, userId: ada.id, firstIssuedAtMs: nowMs, lastIssuedAtMs: nowMs, expiresAtMs: session.session.expiresAtMs });
  }
  return { core, ada, laptop, phone };
}

/** The queued back-channel logouts as "client sid uri", sorted. */
async function queued(core: TestCore): Promise<string[]> {
  const deliveries = await core.store.deliveries.list({ limit: 100, kind: backchannelLogoutKindName });
  return deliveries
    .map((d) => {
      const payload = JSON.parse(d.payload) as BackchannelLogoutPayload;
      assert.equal(d.subject, payload.clientId);
      assert.equal(d.state, 'pending');
      return `${payload.clientId} ${payload.sid} ${payload.sub} ${d.targetUrl}`;
    })
    .sort();
}

const expect = (entries: Array<[string, SessionWithUser]>): string[] =>
  entries.map(([clientId, s]) => `${clientId} ${s.session.id} ${s.user.id} ${clientId === 'notes' ? logoutUri : otherUri}`).sort();

describe('back-channel logouts are queued on every cause of a session end (SEC-225)', () => {
  it('logout: the apps of that session with a registered URI, never one without (SEC-223)', async () => {
    const { core, laptop } = await setUp();
    await logOut(core, laptop, testContext());
    assert.deepEqual(await queued(core), expect([['chat', laptop], ['notes', laptop]]));
  });

  it('revoking one session, every session, or every other session', async () => {
    const one = await setUp();
    await revokeSession(one.core, one.ada.id, one.phone.session.id, testContext());
    assert.deepEqual(await queued(one.core), expect([['chat', one.phone]]));

    const all = await setUp();
    await revokeAllSessions(all.core, all.ada.id, testContext());
    assert.deepEqual(await queued(all.core), expect([['chat', all.laptop], ['notes', all.laptop], ['chat', all.phone]]));

    const others = await setUp();
    await revokeOtherSessions(others.core, others.phone, testContext());
    assert.deepEqual(await queued(others.core), expect([['chat', others.laptop], ['notes', others.laptop]]));
  });

  it('a password change, a password reset, an email change', async () => {
    const changed = await setUp();
    await changePassword(changed.core, changed.phone, { currentPassword: testPassword, newPassword: 'another long passphrase here' }, testContext());
    assert.deepEqual(await queued(changed.core), expect([['chat', changed.laptop], ['notes', changed.laptop], ['chat', changed.phone]]));

    const reset = await setUp();
    await requestPasswordReset(reset.core, 'ada@example.com', testContext());
    const token = decodeURIComponent(/\/reset\?token=(\S+)/.exec(reset.core.outbox.lastTo('ada@example.com')?.text ?? '')?.[1] ?? '');
    await resetPassword(reset.core, { token, newPassword: 'another long passphrase here' }, testContext());
    assert.deepEqual(await queued(reset.core), expect([['chat', reset.laptop], ['notes', reset.laptop], ['chat', reset.phone]]));

    const moved = await setUp();
    await requestEmailChange(moved.core, moved.phone, { newEmail: 'ada@new.example', proof: { password: testPassword } }, testContext());
    const link = /\/account\/email\/confirm\?token=([A-Za-z0-9_.-]+)/.exec(moved.core.outbox.lastTo('ada@new.example')?.text ?? '')?.[1] ?? '';
    await confirmEmailChange(moved.core, link, moved.phone, testContext());
    assert.deepEqual(await queued(moved.core), expect([['chat', moved.laptop], ['notes', moved.laptop]]), 'the confirming session is kept');
  });

  it('disabling the account, deleting it (by its user or an operator)', async () => {
    const disabled = await setUp();
    await disableAccount(disabled.core, disabled.ada.id, testContext());
    assert.deepEqual(await queued(disabled.core), expect([['chat', disabled.laptop], ['notes', disabled.laptop], ['chat', disabled.phone]]));

    const deleted = await setUp();
    await deleteAccount(deleted.core, deleted.laptop, { password: testPassword }, testContext());
    assert.deepEqual(await queued(deleted.core), expect([['chat', deleted.laptop], ['notes', deleted.laptop], ['chat', deleted.phone]]));

    const byOperator = await setUp();
    await deleteAccountAsOperator(byOperator.core, byOperator.ada.id, testContext());
    assert.deepEqual(await queued(byOperator.core), expect([['chat', byOperator.laptop], ['notes', byOperator.laptop], ['chat', byOperator.phone]]));
  });

  it('a new login replacing the session the browser held', async () => {
    const { core, laptop } = await setUp();
    await logIn(core, { email: 'ada@example.com', password: testPassword, previousSession: laptop }, testContext());
    assert.deepEqual(await queued(core), expect([['chat', laptop], ['notes', laptop]]));
  });

  it('a session that timed out, ended by housekeeping', async () => {
    const { core, laptop, phone } = await setUp();
    core.clock.advance(core.sessionPolicy.idleTimeoutMs);
    assert.equal(await endExpiredSessions(core, core.store, core.clock.nowMs()), 2);
    assert.deepEqual(await queued(core), expect([['chat', laptop], ['notes', laptop], ['chat', phone]]));
  });

  it("revoking one app's access: only that app, for each session it reached; the sessions live on", async () => {
    const { core, ada, laptop, phone } = await setUp();
    await core.store.consents.upsert({ userId: ada.id, clientId: 'chat', scopes: ['openid'], grantedAtMs: core.clock.nowMs(), updatedAtMs: core.clock.nowMs() });
    await revokeConnectedApp(core, ada, 'chat', testContext());
    assert.deepEqual(await queued(core), expect([['chat', laptop], ['chat', phone]]));
    assert.equal((await core.store.sessions.listByUser(ada.id)).length, 2);
  });

  it('a session that reached no app, or an app deleted since, queues nothing', async () => {
    const { core, ada } = await setUp();
    const lonely = await signedIn(core, ada);
    await logOut(core, lonely, testContext());
    assert.deepEqual(await queued(core), []);
    const { core: core2, laptop } = await setUp();
    await core2.store.clients.delete('notes');
    await core2.store.clients.delete('chat');
    await logOut(core2, laptop, testContext());
    assert.deepEqual(await queued(core2), []);
  });
});
