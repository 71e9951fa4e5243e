import type { Kysely } from 'kysely';
import { bigintType } from './column-types.ts';

/**
 * The durable outbox (core/delivery/ports.ts): deliveries to other servers, written in the
 * transaction of the change that causes them. `next_attempt_at_ms` doubles as the claim's lease:
 * a worker that claims a delivery moves it into the future, so one that dies mid-send leaves it
 * due again once the lease is over.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at_ms', bigintType, (c) => c.notNull())
    .addColumn('lease_token', 'text')
    .addColumn('last_attempt_at_ms', bigintType)
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('completed_at_ms', bigintType)
    .addColumn('retried_at_ms', bigintType)
    .execute();
  // The worker's claim: pending and due, oldest due first.
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['state', 'next_attempt_at_ms']).execute();
  await db.schema.createIndex('deliveries_subject').on('deliveries').columns(['subject', 'state']).execute();
  await db.schema.createIndex('deliveries_created').on('deliveries').columns(['created_at_ms']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('deliveries').execute();
}
