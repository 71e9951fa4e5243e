import type { Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * Webhook endpoints (core/webhooks/ports.ts): the URL, the event types (space-separated), the
 * signing secret encrypted under the server secret, and the failure state of the last attempts.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('webhook_endpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('secret_jwe', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
    .addColumn('last_success_at_ms', bigintType)
    .addColumn('last_failure_at_ms', bigintType)
    .addColumn('last_error', 'text')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('webhook_endpoints').execute();
}
