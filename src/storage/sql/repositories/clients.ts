import type { Selectable } from 'kysely';
import type { Client, ClientStore, ClientType, GrantType, RefreshTokenDelivery } from '../../../core/ports.ts';
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
