import type { Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * ID tokens on refresh (OIDC Core 12.2): an OpenID family keeps the login its first ID token
 * reported (auth_time, acr, amr), copied to every successor, so each new ID token repeats the
 * original authentication rather than the session's latest. Null for every other family,
 * including those issued before this migration (they refresh without an ID token, as before).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable('refresh_tokens').addColumn('login_auth_time_ms', bigintType).execute();
  await db.schema.alterTable('refresh_tokens').addColumn('login_acr', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('login_amr', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['login_amr', 'login_acr', 'login_auth_time_ms']) await db.schema.alterTable('refresh_tokens').dropColumn(name).execute();
}
