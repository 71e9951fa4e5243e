import type { SessionClientStore } from '../../core/ports.ts';
import { sessionClientRefreshMs } from '../../core/oauth-provider/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

const keyOf = (sessionId: string, clientId: string): string => `${sessionId} ${clientId}`;

export function memorySessionClients(db: MemoryDb): SessionClientStore {
  return {
    async record(entry) {
      const key = keyOf(entry.sessionId, entry.clientId);
      const existing = db.tables.sessionClients.get(key);
      if (existing === undefined) db.tables.sessionClients.set(key, { ...entry });
      else if (existing.lastIssuedAtMs <= entry.lastIssuedAtMs - sessionClientRefreshMs) db.tables.sessionClients.set(key, { ...existing, lastIssuedAtMs: entry.lastIssuedAtMs });
    },
    async listClientsForSession(sessionId) {
      return [...db.tables.sessionClients.values()]
        .filter((e) => e.sessionId === sessionId)
        .sort((a, b) => a.firstIssuedAtMs - b.firstIssuedAtMs || (a.clientId < b.clientId ? -1 : 1))
        .map((e) => ({ ...e }));
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.sessionClients, (e) => e.expiresAtMs <= nowMs);
    },
  };
}
