import type { ClientMaintenance } from '../../../core/ports.ts';
import type { Db } from '../rows.ts';

/** The console's updates of the clients table (the lists stored as JSON, as repositories/clients.ts writes them). */
export function sqlClientMaintenance(db: Db): ClientMaintenance {
  return {
    async setRedirectUris(clientId, redirectUris, postLogoutRedirectUris) {
      const result = await db
        .updateTable('clients')
        .set({ redirect_uris: JSON.stringify(redirectUris), post_logout_redirect_uris: JSON.stringify(postLogoutRedirectUris) })
        .where('id', '=', clientId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async setSecretHash(clientId, secretHash) {
      const result = await db.updateTable('clients').set({ secret_hash: secretHash }).where('id', '=', clientId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async enforceAuthMethod(clientId) {
      const result = await db.updateTable('clients').set({ accepts_either_secret_method: 0 }).where('id', '=', clientId).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}
