import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CoreDeps } from '../../../src/core/deps.ts';
import { AuthError } from '../../../src/core/errors.ts';
import { unlinkIdentity } from '../../../src/core/oauth-client/unlink-identity.ts';
import type { OAuthIdentity, SessionWithUser, User } from '../../../src/core/ports.ts';
import { createTestCore, seedUser, signedIn, testContext } from '../../support/core-deps.ts';

const identity = (id: string, userId: string): OAuthIdentity => ({ id, userId, provider: 'demo', issuer: 'https://idp.example.com', subject: `sub-${id}`, email: null, createdAtMs: 0, lastLoginAtMs: 0, tokensJwe: null });

async function passwordless(core: CoreDeps): Promise<SessionWithUser> {
  const user: User = { id: 'u-social', email: 'social@example.com', passwordHash: null, createdAtMs: 0, updatedAtMs: 0, disabledAtMs: null };
  await core.store.users.create(user);
  return signedIn(core, user);
}

describe('unlinkIdentity', () => {
  it('an account without a password keeps its last identity; with two, one can go (SEC-67)', async () => {
    const core = (await createTestCore()) as CoreDeps;
    const current = await passwordless(core);
    const { user } = current;
    await core.store.oauthIdentities.create(identity('i1', user.id));
    await assert.rejects(unlinkIdentity(core, current, 'i1', undefined, testContext()), (e: unknown) => e instanceof AuthError && e.code === 'oauth_last_login_method');
    await core.store.oauthIdentities.create(identity('i2', user.id));
    await unlinkIdentity(core, current, 'i1', undefined, testContext());
    assert.deepEqual((await core.store.oauthIdentities.listByUser(user.id)).map((i) => i.id), ['i2']);
    assert.equal((await core.store.audit.list({ limit: 1 }))[0]?.type, 'oauth.identity_unlinked');
  });

  it('two unlinks at once of the last two identities: exactly one succeeds (SEC-67)', async () => {
    const core = (await createTestCore()) as CoreDeps;
    const current = await passwordless(core);
    const { user } = current;
    await core.store.oauthIdentities.create(identity('i1', user.id));
    await core.store.oauthIdentities.create(identity('i2', user.id));
    const results = await Promise.allSettled([unlinkIdentity(core, current, 'i1', undefined, testContext()), unlinkIdentity(core, current, 'i2', undefined, testContext())]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.equal((await core.store.oauthIdentities.listByUser(user.id)).length, 1);
  });

  it('a password user may unlink every identity; an unknown or foreign id is identity_not_found (SEC-67)', async () => {
    const core = (await createTestCore()) as CoreDeps;
    const user = await seedUser(core, 'pw@example.com');
    const current = await signedIn(core, user);
    const other = await seedUser(core, 'other@example.com');
    await core.store.oauthIdentities.create(identity('mine', user.id));
    await core.store.oauthIdentities.create(identity('theirs', other.id));
    await unlinkIdentity(core, current, 'mine', undefined, testContext());
    for (const id of ['mine', 'theirs', 'nope']) {
      await assert.rejects(unlinkIdentity(core, current, id, undefined, testContext()), (e: unknown) => e instanceof AuthError && e.code === 'identity_not_found');
    }
    assert.equal((await core.store.oauthIdentities.listByUser(other.id)).length, 1);
  });
});
