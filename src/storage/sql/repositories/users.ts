import { PostgresAdapter } from 'kysely';
import type { UserStore } from '../../../core/ports.ts';
import { isEmailUniqueViolation, toUser, type Db } from '../rows.ts';

/** The queries SQLite's fast paths (sqlite.ts) prepare once. */
export const userQueries = {
  findById: (db: Db, id: string) => db.selectFrom('users').selectAll().where('id', '=', id),
};

/** Accounts over kysely. */
export function sqlUsers(db: Db): UserStore {
  return {
    async create(user) {
      try {
        // ON CONFLICT rather than a caught error: on PostgreSQL a failed statement aborts the
        // whole transaction, and the caller may still want to use it.
        const result = await db
          .insertInto('users')
          .values({
            id: user.id,
            email: user.email,
            password_hash: user.passwordHash ?? '',
            created_at_ms: user.createdAtMs,
            updated_at_ms: user.updatedAtMs,
            disabled_at_ms: user.disabledAtMs,
          })
          .onConflict((oc) => oc.column('email').doNothing())
          .executeTakeFirst();
        return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'created' : 'email_taken';
      } catch (error) {
        if (isEmailUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async findById(id) {
      const row = await userQueries.findById(db, id).executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },
    async lockForUpdate(id) {
      // FOR NO KEY UPDATE: two of these queue behind each other, while inserts that only reference
      // the account (a login's session) do not wait. SQLite has one writer and no FOR UPDATE.
      const query = userQueries.findById(db, id);
      const row = await (db.getExecutor().adapter instanceof PostgresAdapter ? query.forNoKeyUpdate() : query).executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },
    async findByEmail(email) {
      const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },
    async updatePasswordHash(id, passwordHash, nowMs) {
      await db.updateTable('users').set({ password_hash: passwordHash, updated_at_ms: nowMs }).where('id', '=', id).execute();
    },
    async updateEmail(id, email, nowMs) {
      try {
        // Checked in the statement rather than caught from it: on PostgreSQL a failed statement
        // aborts the transaction. Two changes racing to one address still meet the unique index.
        const result = await db
          .updateTable('users')
          .set({ email, updated_at_ms: nowMs })
          .where('id', '=', id)
          .where((eb) => eb.not(eb.exists(eb.selectFrom('users as other').select('other.id').where('other.email', '=', email))))
          .executeTakeFirst();
        return Number(result.numUpdatedRows) > 0 ? 'updated' : (await this.findByEmail(email)) === null ? 'updated' : 'email_taken';
      } catch (error) {
        if (isEmailUniqueViolation(error)) return 'email_taken';
        throw error;
      }
    },
    async setDisabledAt(id, disabledAtMs, nowMs) {
      const result = await db
        .updateTable('users')
        .set({ disabled_at_ms: disabledAtMs, updated_at_ms: nowMs })
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(id) {
      await db.deleteFrom('sessions').where('user_id', '=', id).execute();
      await db.deleteFrom('oauth_identities').where('user_id', '=', id).execute();
      const result = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async list({ limit, afterEmail }) {
      let query = db.selectFrom('users').selectAll().orderBy('email').limit(limit);
      if (afterEmail !== undefined) query = query.where('email', '>', afterEmail);
      return (await query.execute()).map(toUser);
    },
  };
}
