import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoreDeps } from '../../../src/core/deps.ts';
import { AuthError } from '../../../src/core/errors.ts';
import type { OAuthDeps } from '../../../src/core/oauth-client/oauth-deps.ts';
import type { ProviderProfile } from '../../../src/core/oauth-client/provider-profile.ts';
import { signInWithIdentity } from '../../../src/core/oauth-client/sign-in-with-identity.ts';
import { disableAccount } from '../../../src/core/accounts/set-account-disabled.ts';
import { finishPasskeyLogin, startPasskeyLogin } from '../../../src/core/passkeys/passkey-login.ts';
import { createTestCore, seedUser, testContext } from '../../support/core-deps.ts';
import { registerSoftPasskey } from '../../support/passkeys.ts';

/** The account rules of a social login, on the domain alone (memory store, manual clock). */

const oauth = (linkByEmail: OAuthDeps['linkByEmail'] = 'never'): OAuthDeps => ({ providers: new Map(), publicUrl: 'https://auth.test', flowKey: new Uint8Array(32), flowTtlMs: 600_000, linkByEmail, providerTokenKeys: null });
const profile = (overrides: Partial<ProviderProfile> = {}): ProviderProfile => ({ issuer: 'https://idp.example.com', subject: 's-1', email: 'New@Example.com', emailVerified: true, amr: [], ...overrides });
const isCode = (code: string) => (error: unknown) => error instanceof AuthError && error.code === code;

describe('signInWithIdentity', () => {
  it('a new verified identity makes an account without a password, audited as a sign-up and a login', async () => {
    const core = await createTestCore();
    const result = await signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext());
    assert.equal(result.outcome, 'signed_up');
    assert.equal(result.user.email, 'new@example.com');
    assert.equal(result.user.passwordHash, null);
    assert.equal((await core.store.sessions.findWithUser(result.session.id))?.user.id, result.user.id);
    const types = (await core.store.audit.list({ limit: 5 })).map((e) => e.type).sort();
    assert.deepEqual(types, ['login.succeeded', 'user.signed_up']);
  });

  it('the new account starts with its address verified (the provider asserted it), so a passkey it adds later logs in under requireVerifiedEmail (SEC-228)', async () => {
    const core = await createTestCore({ accountSecurityPolicy: { requireVerifiedEmail: true } });
    const result = await signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext());
    assert.equal((await core.store.emailVerifications.find(result.user.id))?.email, 'new@example.com');
    if (result.outcome !== 'signed_up') assert.fail(result.outcome);
    const session = (await core.store.sessions.findWithUser(result.session.id)) ?? assert.fail('a session');
    const { authenticator } = await registerSoftPasskey(core, session);
    const { ceremonyToken, options } = await startPasskeyLogin(core);
    assert.equal((await finishPasskeyLogin(core, { ceremonyToken, response: authenticator.assert(options) }, testContext())).user.id, result.user.id);
  });

  it('a disabled account cannot log in through its identity (SEC-14)', async () => {
    const core = await createTestCore();
    const first = await signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext());
    await disableAccount(core as CoreDeps, first.user.id, testContext());
    await assert.rejects(signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext()), isCode('account_disabled'));
    assert.deepEqual(await core.store.sessions.listByUser(first.user.id), []);
  });

  it('a disabled account is not linked by email either (SEC-72)', async () => {
    const core = await createTestCore();
    const user = await seedUser(core as CoreDeps, 'new@example.com');
    await disableAccount(core as CoreDeps, user.id, testContext());
    await assert.rejects(signInWithIdentity(core as CoreDeps, oauth('verified-email'), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext()), isCode('account_disabled'));
    assert.deepEqual(await core.store.oauthIdentities.listByUser(user.id), []);
  });

  it('no email, or an email the provider does not call verified, makes no account', async () => {
    const core = await createTestCore();
    for (const p of [profile({ email: null, emailVerified: false }), profile({ emailVerified: false }), profile({ email: 'not an email', subject: 's-2' })]) {
      await assert.rejects(signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: p, tokensJwe: null }, testContext()), isCode('oauth_email_unverified'));
    }
    assert.deepEqual(await core.store.users.list({ limit: 5 }), []);
    assert.equal((await core.store.audit.list({ limit: 1 }))[0]?.type, 'oauth.login_failed');
  });

  it('a matching email is refused without linking; with linking on it is linked once and then found by subject', async () => {
    const core = await createTestCore();
    const user = await seedUser(core as CoreDeps, 'new@example.com');
    await assert.rejects(signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext()), isCode('oauth_account_exists'));
    const linked = await signInWithIdentity(core as CoreDeps, oauth('verified-email'), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile(), tokensJwe: null }, testContext());
    assert.deepEqual([linked.outcome, linked.user.id], ['linked_by_email', user.id]);
    const again = await signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile({ email: 'renamed@example.com' }), tokensJwe: null }, testContext());
    assert.deepEqual([again.outcome, again.user.id], ['returning', user.id]);
    assert.equal((await core.store.oauthIdentities.findBySubject('https://idp.example.com', 's-1'))?.email, 'renamed@example.com');
  });

  it('the same subject at another issuer is another identity', async () => {
    const core = await createTestCore();
    await signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'a', providerName: 'A', providerMfa: false, profile: profile(), tokensJwe: null }, testContext());
    await assert.rejects(
      signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'b', providerName: 'B', providerMfa: false, profile: profile({ issuer: 'https://other.example.com' }), tokensJwe: null }, testContext()),
      isCode('oauth_account_exists'),
    );
  });

  it('two first logins racing for one new email: one account, the other is told to log in and link (SEC-72)', async () => {
    const core = await createTestCore();
    const results = await Promise.allSettled([
      signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile({ subject: 'x' }), tokensJwe: null }, testContext()),
      signInWithIdentity(core as CoreDeps, oauth(), { providerId: 'demo', providerName: 'Demo', providerMfa: false, profile: profile({ subject: 'y' }), tokensJwe: null }, testContext()),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const rejected = results.find((r) => r.status === 'rejected');
    assert.ok(rejected !== undefined && isCode('oauth_account_exists')(rejected.reason));
    assert.equal((await core.store.users.list({ limit: 5 })).length, 1);
  });
});
