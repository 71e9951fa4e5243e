import type { OAuthFlowStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

const keyOf = (idHash: Uint8Array): string => Buffer.from(idHash).toString('hex');

export function memoryOAuthFlows(db: MemoryDb): OAuthFlowStore {
  return {
    async insert(flow) {
      const key = keyOf(flow.idHash);
      if (db.tables.oauthFlows.has(key)) throw new Error('duplicate flow');
      db.tables.oauthFlows.set(key, { ...flow, idHash: new Uint8Array(flow.idHash) });
    },
    async take(idHash) {
      const key = keyOf(idHash);
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
