import type { Selectable } from 'kysely';
import type { Client, ClientStore, ClientType, GrantType, IdTokenSigningAlgorithm, RefreshTokenDelivery, TokenEndpointAuthMethod } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';
import type { ClientsTable } from '../schema.ts';

export function toClient(row: Selectable<ClientsTable>): Client {
  return {
    id: row.id,
    name: row.name,
    type: row.type as ClientType,
    secretHash: row.secret_hash,
    grantTypes: row.grant_types.split(' ').filter(Boolean) as GrantType[],
    audience: row.audience,
    refreshTokenDelivery: row.refresh_token_delivery as RefreshTokenDelivery,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
    backchannelLogoutUri: row.backchannel_logout_uri,
    scopes: JSON.parse(row.scopes) as string[],
    skipConsent: Number(row.skip_consent) === 1,
    requirePkce: Number(row.require_pkce) === 1,
    requirePar: Number(row.require_par) === 1,
    requireDpop: Number(row.require_dpop) === 1,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    acceptsEitherSecretMethod: Number(row.accepts_either_secret_method) === 1,
    jwksUri: row.jwks_uri,
    jwks: row.jwks === null ? null : (JSON.parse(row.jwks) as Client['jwks']),
    idTokenSignedResponseAlg: row.id_token_signed_response_alg as IdTokenSigningAlgorithm,
    createdAtMs: ms(row.created_at_ms),
  };
}

/** The statement the token endpoint's fast path also runs (prepared once, sqlite.ts): written once, here. */
export const clientQueries = {
  findById: (db: Db, id: string) => db.selectFrom('clients').selectAll().where('id', '=', id),
};

/** OAuth clients over kysely. */
export function sqlClients(db: Db): ClientStore {
  return {
    async create(client) {
      const result = await db
        .insertInto('clients')
        .values({
          id: client.id,
          name: client.name,
          type: client.type,
          secret_hash: client.secretHash,
          grant_types: client.grantTypes.join(' '),
          audience: client.audience,
          refresh_token_delivery: client.refreshTokenDelivery,
          redirect_uris: JSON.stringify(client.redirectUris),
          post_logout_redirect_uris: JSON.stringify(client.postLogoutRedirectUris),
          backchannel_logout_uri: client.backchannelLogoutUri,
          scopes: JSON.stringify(client.scopes),
          skip_consent: client.skipConsent ? 1 : 0,
          require_pkce: client.requirePkce ? 1 : 0,
          require_par: client.requirePar ? 1 : 0,
          require_dpop: client.requireDpop ? 1 : 0,
          token_endpoint_auth_method: client.tokenEndpointAuthMethod,
          accepts_either_secret_method: client.acceptsEitherSecretMethod ? 1 : 0,
          jwks_uri: client.jwksUri,
          jwks: client.jwks === null ? null : JSON.stringify(client.jwks),
          id_token_signed_response_alg: client.idTokenSignedResponseAlg,
          created_at_ms: client.createdAtMs,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'created' : 'id_taken';
    },
    async findById(id) {
      const row = await clientQueries.findById(db, id).executeTakeFirst();
      return row === undefined ? null : toClient(row);
    },
    async list() {
      return (await db.selectFrom('clients').selectAll().orderBy('id').execute()).map(toClient);
    },
    async delete(id) {
      const result = await db.deleteFrom('clients').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
