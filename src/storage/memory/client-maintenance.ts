import type { ClientMaintenance } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryClientMaintenance(db: MemoryDb): ClientMaintenance {
  return {
    async setRedirectUris(clientId, redirectUris, postLogoutRedirectUris) {
      const client = db.tables.clients.get(clientId);
      if (client === undefined) return false;
      db.tables.clients.set(clientId, { ...client, redirectUris: [...redirectUris], postLogoutRedirectUris: [...postLogoutRedirectUris] });
      return true;
    },
    async setSecretHash(clientId, secretHash) {
      const client = db.tables.clients.get(clientId);
      if (client === undefined) return false;
      db.tables.clients.set(clientId, { ...client, secretHash });
      return true;
    },
    async enforceAuthMethod(clientId) {
      const client = db.tables.clients.get(clientId);
      if (client === undefined) return false;
      db.tables.clients.set(clientId, { ...client, acceptsEitherSecretMethod: false });
      return true;
    },
  };
}
