import type { Kysely } from 'kysely';

/**
 * The `claims` request parameter (OIDC Core §5.5): the claims an authorization request asked for
 * in the ID token travel with its code to the token endpoint. Null when none were asked.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('authorization_codes').addColumn('id_token_claims', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('authorization_codes').dropColumn('id_token_claims').execute();
}
