import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { migrateTo, onEachDatabase, type MigratableStore } from '../../../support/migration-test.ts';
import { aUser, t0Ms } from '../../contract/fixtures.ts';

const identity = (id: string, userId: string, email: string | null, createdAtMs: number) => ({
  id,
  userId,
  provider: 'google',
  issuer: 'https://accounts.example.com',
  subject: `sub-${id}`,
  email,
  createdAtMs,
  lastLoginAtMs: createdAtMs,
  tokensJwe: null,
});

async function assertMigrated(store: MigratableStore): Promise<void> {
  // Accounts stored by the previous release, none of them verified yet.
  await migrateTo(store.db, '0027-audit-time-index-ascending');
  const social = aUser('social', { passwordHash: null });
  const slowSocial = aUser('slow', { passwordHash: null });
  const withPassword = aUser('pw');
  const linkedLater = aUser('later', { passwordHash: null });
  const otherAddress = aUser('other', { passwordHash: null });
  const alreadyVerified = aUser('done', { passwordHash: null });
  for (const user of [social, slowSocial, withPassword, linkedLater, otherAddress, alreadyVerified]) await store.users.create(user);
  await store.oauthIdentities.create(identity('i-social', social.id, social.email, t0Ms));
  await store.oauthIdentities.create(identity('i-slow', slowSocial.id, slowSocial.email, t0Ms + 3));
  await store.oauthIdentities.create(identity('i-pw', withPassword.id, withPassword.email, t0Ms));
  await store.oauthIdentities.create(identity('i-later', linkedLater.id, linkedLater.email, t0Ms + 60_000));
  await store.oauthIdentities.create(identity('i-other', otherAddress.id, 'someone-else@example.com', t0Ms));
  await store.oauthIdentities.create(identity('i-done', alreadyVerified.id, alreadyVerified.email, t0Ms));
  await store.emailVerifications.markVerified(alreadyVerified.id, alreadyVerified.email, t0Ms + 5);

  await migrateToLatest(store.db);
  const verified = async (userId: string) => store.emailVerifications.find(userId);
  // Made by a social login (no password, the provider linked with the account's address in the same sign-up).
  assert.deepEqual(await verified(social.id), { email: social.email, verifiedAtMs: t0Ms });
  assert.deepEqual(await verified(slowSocial.id), { email: slowSocial.email, verifiedAtMs: t0Ms });
  // Not proof: a password account, a provider linked a minute later, a provider with another address.
  assert.equal(await verified(withPassword.id), null);
  assert.equal(await verified(linkedLater.id), null);
  assert.equal(await verified(otherAddress.id), null);
  // An existing mark is left as it was.
  assert.deepEqual(await verified(alreadyVerified.id), { email: alreadyVerified.email, verifiedAtMs: t0Ms + 5 });
  // Down and up again: nothing doubled, nothing lost.
  await migrateTo(store.db, '0027-audit-time-index-ascending');
  await migrateToLatest(store.db);
  assert.deepEqual(await verified(social.id), { email: social.email, verifiedAtMs: t0Ms });
}

describe('migration 0028: accounts made by a social login before SEC-228 count as verified, so their passkeys keep logging in', () => {
  onEachDatabase(assertMigrated);
});
