import type { Selectable } from 'kysely';
import type { PasskeyCredential, PasskeyDeviceType, PasskeyStore, User } from '../../../core/ports.ts';
import { joinedUserColumns, ms, msOrNull, resultNames, rowFromValues, toUser, type Db } from '../rows.ts';
import type { PasskeysTable } from '../schema.ts';

/** What `passkeyQueries.findWithUser` selects, in this order: the passkey's columns, then its user's as `u_*`. */
const passkeyWithUserColumns = [
  'passkeys.id',
  'passkeys.user_id',
  'passkeys.credential_id',
  'passkeys.public_key',
  'passkeys.counter',
  'passkeys.transports',
  'passkeys.device_type',
  'passkeys.backed_up',
  'passkeys.name',
  'passkeys.created_at_ms',
  'passkeys.last_used_at_ms',
  ...joinedUserColumns,
] as const;

const passkeyWithUserNames = resultNames(passkeyWithUserColumns);

/**
 * The same from a row read as an array (in `passkeyWithUserColumns` order), as SQLite's fast path
 * reads it: no object with 17 named properties made by the driver per login.
 */
export function passkeyWithUserFromValues(values: readonly unknown[]): { passkey: PasskeyCredential; user: User } {
  return toPasskeyWithUser(rowFromValues<PasskeyWithUserRow>(passkeyWithUserNames, values));
}

/** A row of `passkeyQueries.findWithUser`: the passkey and its user. */
export function toPasskeyWithUser(row: PasskeyWithUserRow): { passkey: PasskeyCredential; user: User } {
  return {
    passkey: toPasskey(row),
    user: toUser({ id: row.u_id, email: row.u_email, password_hash: row.u_password_hash, created_at_ms: row.u_created_at_ms, updated_at_ms: row.u_updated_at_ms, disabled_at_ms: row.u_disabled_at_ms }),
  };
}

export type PasskeyWithUserRow = Selectable<PasskeysTable> & {
  u_id: string;
  u_email: string;
  u_password_hash: string;
  u_created_at_ms: number;
  u_updated_at_ms: number;
  u_disabled_at_ms: number | null;
};

export function toPasskey(row: Selectable<PasskeysTable>): PasskeyCredential {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    counter: ms(row.counter),
    transports: JSON.parse(row.transports) as string[],
    deviceType: row.device_type as PasskeyDeviceType,
    backedUp: Number(row.backed_up) === 1,
    name: row.name,
    createdAtMs: ms(row.created_at_ms),
    lastUsedAtMs: msOrNull(row.last_used_at_ms),
  };
}

/** The queries SQLite's fast paths (sqlite.ts) prepare once: the passkey login's lookup and counter write. */
export const passkeyQueries = {
  findByCredentialId: (db: Db, credentialId: string) => db.selectFrom('passkeys').selectAll().where('credential_id', '=', credentialId),
  /** The passkey's columns, then its user's as `u_*`. */
  findWithUser: (db: Db, credentialId: string) =>
    db
      .selectFrom('passkeys')
      .innerJoin('users', 'users.id', 'passkeys.user_id')
      .select(passkeyWithUserColumns)
      .where('passkeys.credential_id', '=', credentialId),
  /** The counter's compare-and-set: changes one row only if the counter is still `expectedCounter`. */
  recordUse: (db: Db, id: string, expectedCounter: number, set: { counter: number; backed_up: number; last_used_at_ms: number }) =>
    db.updateTable('passkeys').set(set).where('id', '=', id).where('counter', '=', expectedCounter),
};

/** Passkeys over kysely. The credential id is UNIQUE; a use is one conditional UPDATE on the counter. */
export function sqlPasskeys(db: Db): PasskeyStore {
  return {
    async create(credential) {
      const result = await db
        .insertInto('passkeys')
        .values({
          id: credential.id,
          user_id: credential.userId,
          credential_id: credential.credentialId,
          public_key: credential.publicKey,
          counter: credential.counter,
          transports: JSON.stringify(credential.transports),
          device_type: credential.deviceType,
          backed_up: credential.backedUp ? 1 : 0,
          name: credential.name,
          created_at_ms: credential.createdAtMs,
          last_used_at_ms: credential.lastUsedAtMs,
        })
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'created' : 'credential_taken';
    },
    async findWithUser(credentialId) {
      const row = await passkeyQueries.findWithUser(db, credentialId).executeTakeFirst();
      return row === undefined ? null : toPasskeyWithUser(row);
    },
    async findByCredentialId(credentialId) {
      const row = await passkeyQueries.findByCredentialId(db, credentialId).executeTakeFirst();
      return row === undefined ? null : toPasskey(row);
    },
    async listByUser(userId) {
      return (await db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at_ms').orderBy('id').execute()).map(toPasskey);
    },
    async recordUse(id, use) {
      const result = await passkeyQueries.recordUse(db, id, use.expectedCounter, { counter: use.counter, backed_up: use.backedUp ? 1 : 0, last_used_at_ms: use.atMs }).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async rename(userId, id, name) {
      const result = await db.updateTable('passkeys').set({ name }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async delete(userId, id) {
      const result = await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
