import type { Kysely } from 'kysely';
import { bigintType, binaryType } from './column-types.ts';

/**
 * The OpenID Provider (docs/openid-provider.md):
 * - `signing_keys.purpose`: `access` (the key ring of access tokens, as before) or `id_token`
 *   (one lineage per ID token algorithm, RS256 by default), so each ring sees only its own keys.
 * - `pending_authorizations`: an authorization request waiting for login or consent, kept here
 *   so the browser carries only its id through the login pages.
 * - `authorization_codes`: only SHA-256 of each code; kept past its 60 s until the tokens of its
 *   first exchange have expired, so a second exchange can still revoke them.
 * - `consents`: what each user allowed each app; they go with the user or the client.
 * - `session_clients`: which apps were issued tokens under which session, for back-channel
 *   logout. No foreign key to sessions: the list is read after the session row is gone.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('signing_keys')
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('access'))
    .execute();

  await db.schema
    .createTable('pending_authorizations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('login_after_ms', bigintType)
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('pending_authorizations_expires_at_ms').on('pending_authorizations').column('expires_at_ms').execute();

  await db.schema
    .createTable('authorization_codes')
    .addColumn('code_hash', binaryType(db), (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('code_challenge', 'text')
    .addColumn('auth_time_ms', bigintType, (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('acr', 'text')
    .addColumn('created_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .addColumn('used_at_ms', bigintType)
    .addColumn('refresh_family_id', 'text')
    .addColumn('access_token_jti', 'text')
    .addColumn('access_token_expires_at_ms', bigintType)
    .addColumn('keep_until_ms', bigintType, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('authorization_codes_keep_until_ms').on('authorization_codes').column('keep_until_ms').execute();

  await db.schema
    .createTable('consents')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('granted_at_ms', bigintType, (c) => c.notNull())
    .addColumn('updated_at_ms', bigintType, (c) => c.notNull())
    .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
    .execute();
  await db.schema.createIndex('consents_client_id').on('consents').column('client_id').execute();

  await db.schema
    .createTable('session_clients')
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('first_issued_at_ms', bigintType, (c) => c.notNull())
    .addColumn('last_issued_at_ms', bigintType, (c) => c.notNull())
    .addColumn('expires_at_ms', bigintType, (c) => c.notNull())
    .addPrimaryKeyConstraint('session_clients_pk', ['session_id', 'client_id'])
    .execute();
  await db.schema.createIndex('session_clients_expires_at_ms').on('session_clients').column('expires_at_ms').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['session_clients', 'consents', 'authorization_codes', 'pending_authorizations']) await db.schema.dropTable(table).execute();
  await db.schema.alterTable('signing_keys').dropColumn('purpose').execute();
}
