import type { OAuthFlowStore } from '../../core/ports.ts';
import { deleteWhere, hashKey, type MemoryDb } from './tables.ts';


export function memoryOAuthFlows(db: MemoryDb): OAuthFlowStore {
  return {
    async insert(flow) {
      const key = hashKey(flow.idHash);
      if (db.tables.oauthFlows.has(key)) throw new Error('duplicate flow');
      db.tables.oauthFlows.set(key, { ...flow, idHash: new Uint8Array(flow.idHash) });
    },
    async take(idHash) {
      const key = hashKey(idHash);
      const flow = db.tables.oauthFlows.get(key);
      if (flow === undefined) return null;
      db.tables.oauthFlows.delete(key);
      return flow;
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.oauthFlows, (flow) => flow.expiresAtMs <= nowMs);
    },
  };
}
