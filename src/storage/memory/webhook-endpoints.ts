import type { WebhookEndpoint, WebhookEndpointStore } from '../../core/ports.ts';
import { findCopy, insertRow, type MemoryDb } from './tables.ts';

const copy = (e: WebhookEndpoint): WebhookEndpoint => ({ ...e, events: [...e.events] });

export function memoryWebhookEndpoints(db: MemoryDb): WebhookEndpointStore {
  return {
    async create(e) {
      insertRow(db.tables.webhookEndpoints, e.id, copy(e), { duplicate: `webhook endpoint ${e.id} exists` });
    },
    async findById(id) {
      return findCopy(db.tables.webhookEndpoints, id, copy);
    },
    async list() {
      return [...db.tables.webhookEndpoints.values()].sort((a, b) => a.createdAtMs - b.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(copy);
    },
    async delete(id) {
      return db.tables.webhookEndpoints.delete(id);
    },
    async setSecret(id, secretJwe) {
      const e = db.tables.webhookEndpoints.get(id);
      if (e === undefined) return false;
      db.tables.webhookEndpoints.set(id, { ...e, secretJwe });
      return true;
    },
    async recordAttempt(id, { ok, atMs, error }) {
      const e = db.tables.webhookEndpoints.get(id);
      if (e === undefined) return;
      db.tables.webhookEndpoints.set(
        id,
        ok ? { ...e, consecutiveFailures: 0, lastSuccessAtMs: atMs } : { ...e, consecutiveFailures: e.consecutiveFailures + 1, lastFailureAtMs: atMs, lastError: error },
      );
    },
  };
}
