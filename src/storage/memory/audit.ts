import type { AuditStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryAudit(db: MemoryDb): AuditStore {
  return {
    async append(event) {
      db.tables.audit.push({ ...event });
    },
    async list({ limit, userId }) {
      return db.tables.audit
        .filter((e) => userId === undefined || e.userId === userId)
        .sort((a, b) => b.atMs - a.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit)
        .map((e) => ({ ...e }));
    },
  };
}
