import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { updateProfile } from '../../../src/core/accounts/update-profile.ts';
import { userClaims } from '../../../src/core/accounts/user-claims.ts';
import { createTestCore, seedUser, testContext } from '../../support/core-deps.ts';

describe('userClaims', () => {
  it('profile gives the profile claims and updated_at in seconds; email gives email and email_verified; openid alone gives sub', async () => {
    const core = await createTestCore();
    const ada = await seedUser(core, 'ada@example.com');
    core.clock.advance(5_500);
    await updateProfile(core, ada, { name: 'Ada Lovelace', givenName: 'Ada', familyName: 'Lovelace', picture: 'https://img.example/ada.png', locale: 'en-GB' }, testContext());
    const profile = { name: 'Ada Lovelace', given_name: 'Ada', family_name: 'Lovelace', picture: 'https://img.example/ada.png', locale: 'en-GB', updated_at: Math.floor(core.clock.nowMs() / 1000) };

    assert.deepEqual(await userClaims(core, ada.id, 'openid'), { sub: ada.id });
    assert.deepEqual(await userClaims(core, ada.id, 'openid profile'), { sub: ada.id, ...profile });
    assert.deepEqual(await userClaims(core, ada.id, ['openid', 'email']), { sub: ada.id, email: 'ada@example.com', email_verified: false });
    await core.store.emailVerifications.markVerified(ada.id, 'ada@example.com', core.clock.nowMs());
    assert.deepEqual(await userClaims(core, ada.id, 'openid email profile'), { sub: ada.id, ...profile, email: 'ada@example.com', email_verified: true });
  });

  it('leaves out what the user never gave, and is not verified for an address other than the one proved', async () => {
    const core = await createTestCore();
    const bob = await seedUser(core, 'bob@example.com');
    await core.store.emailVerifications.markVerified(bob.id, 'old@example.com', core.clock.nowMs());
    const claims = await userClaims(core, bob.id, 'openid profile email');
    assert.deepEqual(claims, { sub: bob.id, updated_at: Math.floor(bob.updatedAtMs / 1000), email: 'bob@example.com', email_verified: false });
  });

  it('is null for a user who no longer exists', async () => {
    const core = await createTestCore();
    assert.equal(await userClaims(core, 'user-gone', 'openid profile'), null);
  });
});
