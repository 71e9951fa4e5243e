import type { Kysely } from 'kysely';

/**
 * RFC 9449 §10: an authorization code bound to a DPoP key (`dpop_jkt`, or the DPoP proof of a
 * pushed request) keeps the key's JWK thumbprint; its exchange needs a proof by that key. Null
 * when the code is not bound.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('authorization_codes').dropColumn('dpop_jkt').execute();
}
