import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { migrateToLatest } from '../../../../src/storage/sql/migrate.ts';
import { migrateTo, onEachDatabase, type MigratableStore } from '../../../support/migration-test.ts';
import { aSecretHash, t0Ms } from '../../contract/fixtures.ts';

async function assertMigrated(store: MigratableStore): Promise<void> {
  // A challenge answered by the previous release, just before the upgrade.
  await migrateTo(store.db, '0022-code-id-token-claims');
  await store.db.insertInto('passkey_used_challenges').values({ challenge_hash: aSecretHash(1), expires_at_ms: t0Ms }).execute();
  await migrateToLatest(store.db);
  assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(1), t0Ms), false, 'still answered after the upgrade (SEC-170)');
  assert.equal(await store.usedPasskeyChallenges.claim(aSecretHash(2), t0Ms), true);
  // And back: both rows survive the down migration, keyed on the hash alone again.
  await migrateTo(store.db, '0022-code-id-token-claims');
  const rows = await store.db.selectFrom('passkey_used_challenges').select(['expires_at_ms']).execute();
  assert.equal(rows.length, 2);
  await migrateToLatest(store.db);
}

describe('migration 0023: answered passkey ceremonies keyed expiry first, the ones answered before the upgrade kept', () => {
  onEachDatabase(assertMigrated);
});
