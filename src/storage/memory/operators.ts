import type { ConsoleActivityStore, OperatorStore } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryOperators(db: MemoryDb): OperatorStore {
  return {
    async setOperatorSince(userId, sinceMs) {
      if (!db.tables.users.has(userId)) return false;
      if (sinceMs === null) db.tables.operators.delete(userId);
      else if (!db.tables.operators.has(userId)) db.tables.operators.set(userId, sinceMs);
      return true;
    },
    async operatorSince(userId) {
      return db.tables.users.has(userId) ? (db.tables.operators.get(userId) ?? null) : null;
    },
    async list() {
      return [...db.tables.operators]
        .flatMap(([userId, sinceMs]) => {
          const user = db.tables.users.get(userId);
          return user === undefined ? [] : [{ userId, email: user.email, sinceMs }];
        })
        .sort((a, b) => (a.email < b.email ? -1 : 1));
    },
  };
}

// Keyed on the session id; a deleted session's entry is never read again (lastUse checks the
// session), as the column goes with its row in SQL.
export function memoryConsoleActivity(db: MemoryDb): ConsoleActivityStore {
  return {
    async lastUse(sessionId) {
      return db.tables.sessions.has(sessionId) ? (db.tables.consoleActivity.get(sessionId) ?? null) : null;
    },
    async recordUse(sessionId, atMs) {
      if (db.tables.sessions.has(sessionId)) db.tables.consoleActivity.set(sessionId, atMs);
    },
  };
}
