import { sql, type Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * Answered passkey ceremonies keyed on (expires_at_ms, challenge_hash), expiry first, instead of
 * the challenge's hash alone. A hash is random, so each login inserted its row on a random page
 * of the key's B-tree: one more page written at every COMMIT, and again at the checkpoint
 * (about 20 us of CPU per login at a few thousand logins a second). The expiry is the ceremony's
 * start plus 5 minutes, so new rows now go beside the last ones. The key still identifies one
 * ceremony: the ceremony token's MAC covers the challenge and its expiry together
 * (core/passkeys/ceremony.ts), so a challenge is answered with one expiry only (SEC-170).
 */
async function createTable(db: Kysely<any>, name: string, key: 'expiry first' | 'hash only'): Promise<void> {
  let table = db.schema
    .createTable(name)
    .addColumn('challenge_hash', binaryType(db), (c) => (key === 'hash only' ? c.primaryKey() : c.notNull()))
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull());
  if (key === 'expiry first') table = table.addPrimaryKeyConstraint(`${name}_pk`, ['expires_at_ms', 'challenge_hash']);
  // SQLite: WITHOUT ROWID, the key is the clustered B-tree (no separate rowid tree), as in 0013.
  await (binaryType(db) === 'blob' ? table.modifyEnd(sql`without rowid`) : table).execute();
}

async function rebuild(db: Kysely<any>, key: 'expiry first' | 'hash only'): Promise<void> {
  await createTable(db, 'passkey_used_challenges_rebuilt', key);
  await db
    .insertInto('passkey_used_challenges_rebuilt')
    .columns(['challenge_hash', 'expires_at_ms'])
    .expression(db.selectFrom('passkey_used_challenges').select(['challenge_hash', 'expires_at_ms']))
    .execute();
  await db.schema.dropTable('passkey_used_challenges').execute();
  await db.schema.alterTable('passkey_used_challenges_rebuilt').renameTo('passkey_used_challenges').execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await rebuild(db, 'expiry first');
}

export async function down(db: Kysely<any>): Promise<void> {
  await rebuild(db, 'hash only');
}
