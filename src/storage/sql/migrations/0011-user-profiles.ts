import type { Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * The user's profile for the OpenID `profile` scope (core/accounts/user-claims.ts): a table of
 * its own, one row per user who saved one, so the users table (which sessions reference, and
 * which SQLite cannot alter in place) stays as it is. It goes with its user.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_profiles')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text')
    .addColumn('given_name', 'text')
    .addColumn('family_name', 'text')
    .addColumn('picture', 'text')
    .addColumn('locale', 'text')
    .addColumn('updated_at_ms', bigintType, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_profiles').execute();
}
