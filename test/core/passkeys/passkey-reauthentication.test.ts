import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reauthenticate } from '../../../src/core/accounts/reauthenticate.ts';
import { startPasskeyReauthentication } from '../../../src/core/passkeys/passkey-reauthentication.ts';
import { requireRecentAuthentication } from '../../../src/core/sessions/recent-authentication.ts';
import { rejectsWithAuthError } from '../../support/auth-error.ts';
import { createTestCore, seedSession, testContext } from '../../support/core-deps.ts';
import { registerSoftPasskey, signedInAccount } from '../../support/passkeys.ts';

/** An account with a passkey whose session logged in longer ago than the re-authentication window. */
async function staleAccountWithPasskey() {
  const core = await createTestCore();
  const ada = await signedInAccount(core, 'ada@example.com');
  const { authenticator } = await registerSoftPasskey(core, ada);
  core.clock.advance(core.sessionPolicy.reauthWindowMs + 1);
  const current = (await core.store.sessions.findWithUser(ada.session.id))!;
  return { core, ada, current, authenticator };
}

describe('re-authenticating with a passkey', () => {
  test('a user-verified answer opens the re-authentication window: authTime now, amr gains hwk and user, audited (docs/security.md SEC-192)', async () => {
    const { core, current, authenticator } = await staleAccountWithPasskey();
    await rejectsWithAuthError(requireRecentAuthentication(core, current, undefined, testContext()), 'reauthentication_required');
    const { ceremonyToken, options } = await startPasskeyReauthentication(core, current);
    assert.equal(options.userVerification, 'required');
    assert.deepEqual(options.allowCredentials?.map((c) => c.id), [authenticator.credentials[0]?.id]);
    const after = await reauthenticate(core, current, { passkey: { ceremonyToken, response: authenticator.assert(options) } }, testContext());
    assert.equal(after.session.authTimeMs, core.clock.nowMs());
    assert.ok(after.session.amr.includes('hwk') && after.session.amr.includes('user'));
    const stored = (await core.store.sessions.findWithUser(current.session.id))!;
    assert.equal(stored.session.authTimeMs, core.clock.nowMs());
    await requireRecentAuthentication(core, stored, undefined, testContext());
    const types = (await core.store.audit.list({ limit: 20, userId: current.user.id })).map((e) => e.type);
    assert.ok(types.includes('reauth.succeeded') && types.includes('passkey.used'));
  });

  test('without user verification it is refused, and the window stays shut (docs/security.md SEC-192)', async () => {
    const { core, current, authenticator } = await staleAccountWithPasskey();
    const { ceremonyToken, options } = await startPasskeyReauthentication(core, current);
    await rejectsWithAuthError(reauthenticate(core, current, { passkey: { ceremonyToken, response: authenticator.assert(options, { userVerified: false }) } }, testContext()), 'passkey_refused');
    const stored = (await core.store.sessions.findWithUser(current.session.id))!;
    await rejectsWithAuthError(requireRecentAuthentication(core, stored, undefined, testContext()), 'reauthentication_required');
  });

  test('the ceremony is bound to the session that asked and used once; another account’s passkey is refused (docs/security.md SEC-192, SEC-172, SEC-170)', async () => {
    const { core, ada, current, authenticator } = await staleAccountWithPasskey();
    const other = (await core.store.sessions.findWithUser((await seedSession(core, ada.user.id)).session.id))!;
    const { ceremonyToken, options } = await startPasskeyReauthentication(core, current);
    await rejectsWithAuthError(reauthenticate(core, other, { passkey: { ceremonyToken, response: authenticator.assert(options) } }, testContext()), 'passkey_challenge_invalid');
    const answer = authenticator.assert(options);
    await reauthenticate(core, current, { passkey: { ceremonyToken, response: answer } }, testContext());
    await rejectsWithAuthError(reauthenticate(core, current, { passkey: { ceremonyToken, response: authenticator.assert(options) } }, testContext()), 'passkey_challenge_invalid');

    const bob = await signedInAccount(core, 'bob@example.com');
    const { authenticator: bobKey } = await registerSoftPasskey(core, bob);
    const again = await startPasskeyReauthentication(core, current);
    await rejectsWithAuthError(reauthenticate(core, current, { passkey: { ceremonyToken: again.ceremonyToken, response: bobKey.assert(again.options) } }, testContext()), 'passkey_refused');
  });

  test('an account without a passkey gets no options', async () => {
    const core = await createTestCore();
    const ada = await signedInAccount(core, 'ada@example.com');
    await rejectsWithAuthError(startPasskeyReauthentication(core, ada), 'passkey_not_found');
  });
});
