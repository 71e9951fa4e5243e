import { sql, type Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * What a session knows about how its user authenticated (docs/security.md SEC-100): when
 * (`auth_time_ms`, moved by each re-authentication) and how (`amr`, RFC 8176 values separated by
 * spaces). Existing sessions count as authenticated when they began, by an unrecorded method.
 * A pending TOTP enrolment remembers the session that started it (docs/security.md SEC-105).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('auth_time_ms', bigintType, (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('sessions').addColumn('amr', 'text', (c) => c.notNull().defaultTo('')).execute();
  await sql`update sessions set auth_time_ms = created_at_ms`.execute(db);
  await db.schema.alterTable('totp_credentials').addColumn('enrolment_session_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('totp_credentials').dropColumn('enrolment_session_id').execute();
  await db.schema.alterTable('sessions').dropColumn('amr').execute();
  await db.schema.alterTable('sessions').dropColumn('auth_time_ms').execute();
}
