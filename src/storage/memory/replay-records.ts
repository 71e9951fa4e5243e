import type { ReplayRecordStore } from '../../core/ports.ts';
import { deleteWhere, type MemoryDb } from './tables.ts';

export function memoryReplayRecords(db: MemoryDb): ReplayRecordStore {
  return {
    async remember(key, expiresAtMs) {
      if (db.tables.replayRecords.has(key)) return 'seen';
      db.tables.replayRecords.set(key, { expiresAtMs });
      return 'new';
    },
    async deleteExpired(nowMs) {
      return deleteWhere(db.tables.replayRecords, (r) => r.expiresAtMs <= nowMs);
    },
  };
}
