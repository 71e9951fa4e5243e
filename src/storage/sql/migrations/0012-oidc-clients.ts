import type { Kysely } from 'kysely';

/**
 * OpenID Provider clients (docs/openid-provider.md): where the authorization endpoint may send
 * the browser, how the client authenticates, what it may ask for. Lists are JSON arrays (URIs
 * are compared exactly, so they are stored verbatim); flags are 0/1 integers on both dialects.
 * Existing clients keep what they had: no redirect URIs (so no authorization endpoint), a
 * secret at the token endpoint if they are confidential, none if public.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('clients')
    .addColumn('redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  // One column per statement: SQLite's ALTER TABLE adds one column at a time.
  const columns: Array<[string, 'text' | 'integer', string | number | null]> = [
    ['post_logout_redirect_uris', 'text', '[]'],
    ['backchannel_logout_uri', 'text', null],
    ['scopes', 'text', '[]'],
    ['skip_consent', 'integer', 0],
    ['require_pkce', 'integer', 0],
    ['require_par', 'integer', 0],
    ['require_dpop', 'integer', 0],
    ['jwks_uri', 'text', null],
    ['jwks', 'text', null],
    ['id_token_signed_response_alg', 'text', 'RS256'],
  ];
  for (const [name, type, defaultValue] of columns) {
    await db.schema
      .alterTable('clients')
      .addColumn(name, type, (c) => (defaultValue === null ? c : c.notNull().defaultTo(defaultValue)))
      .execute();
  }
  await db.schema
    .alterTable('clients')
    .addColumn('token_endpoint_auth_method', 'text', (c) => c.notNull().defaultTo('client_secret_basic'))
    .execute();
  await db.updateTable('clients').set({ token_endpoint_auth_method: 'none' }).where('type', '=', 'public').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['redirect_uris', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'scopes', 'skip_consent', 'require_pkce', 'require_par', 'require_dpop', 'jwks_uri', 'jwks', 'id_token_signed_response_alg', 'token_endpoint_auth_method']) {
    await db.schema.alterTable('clients').dropColumn(name).execute();
  }
}
