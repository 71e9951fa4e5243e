import type { Kysely } from 'kysely';

/**
 * The registered token endpoint auth method is enforced from here on (docs/security.md SEC-208).
 * Clients registered before could present their secret in HTTP Basic or in the body, whatever
 * they registered (the CLI default was client_secret_basic, and most never chose), so every
 * existing client that authenticates with a secret keeps that leeway: nothing that worked
 * before stops working. Clients registered after this migration get exactly their method.
 * Public (`none`) and private_key_jwt clients were already held to theirs.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('accepts_either_secret_method', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.updateTable('clients').set({ accepts_either_secret_method: 1 }).where('token_endpoint_auth_method', 'in', ['client_secret_basic', 'client_secret_post']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('accepts_either_secret_method').execute();
}
