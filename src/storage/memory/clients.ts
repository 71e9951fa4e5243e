import type { Client, ClientStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

// A deep copy, so a caller changing what it read (or what it stored) changes nothing stored.
const copyClient = (c: Client): Client => structuredClone(c);

export function memoryClients(db: MemoryDb): ClientStore {
  return {
    async create(client) {
      if (db.tables.clients.has(client.id)) return 'id_taken';
      db.tables.clients.set(client.id, copyClient(client));
      return 'created';
    },
    async findById(id) {
      const c = db.tables.clients.get(id);
      return c === undefined ? null : copyClient(c);
    },
    async list() {
      return [...db.tables.clients.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map(copyClient);
    },
    async delete(id) {
      // Like the SQL foreign key: the consents given to a client go with it.
      deleteWhere(db.tables.consents, (c) => c.clientId === id);
      return db.tables.clients.delete(id);
    },
  };
}
