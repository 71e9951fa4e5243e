import type { Kysely } from 'kysely';

/**
 * Browser clients: a client's refresh tokens travel either in the token response (`body`) or only
 * in an HttpOnly cookie (`cookie`). Existing clients keep what they had: the response body.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('refresh_token_delivery', 'text', (c) => c.notNull().defaultTo('body'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('refresh_token_delivery').execute();
}
