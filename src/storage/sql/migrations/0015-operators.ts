import type { Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * Operators (docs/security.md SEC-270): `users.operator_since_ms` is set while the account may
 * use the console at /admin (`gatehouse user grant-admin`). `sessions.console_seen_at_ms` is the
 * session's last console request, for the console's own short idle timeout (SEC-274).
 * `audit.actor_id` is the operator who did what an entry records, when it was not the user.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('operator_since_ms', bigintType).execute();
  await db.schema.alterTable('sessions').addColumn('console_seen_at_ms', bigintType).execute();
  await db.schema.alterTable('audit').addColumn('actor_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit').dropColumn('actor_id').execute();
  await db.schema.alterTable('sessions').dropColumn('console_seen_at_ms').execute();
  await db.schema.alterTable('users').dropColumn('operator_since_ms').execute();
}
