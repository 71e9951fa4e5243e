import type { AuditCursor, AuditEvent, AuditFilter, AuditSearch, SessionCensus, ThrottleCensus, UserDirectory } from '../../core/ports.ts';
import type { MemoryDb } from './tables.ts';

export function memoryUserDirectory(db: MemoryDb): UserDirectory {
  return {
    async search({ emailPrefix, afterEmail, limit }) {
      return [...db.tables.users.values()]
        .filter((u) => u.email.startsWith(emailPrefix) && (afterEmail === undefined || u.email > afterEmail))
        .sort((a, b) => (a.email < b.email ? -1 : 1))
        .slice(0, limit)
        .map((u) => ({ ...u }));
    },
    async count() {
      return db.tables.users.size;
    },
  };
}

export function memorySessionCensus(db: MemoryDb): SessionCensus {
  return {
    async countActive(nowMs, idleTimeoutMs) {
      let n = 0;
      for (const s of db.tables.sessions.values()) if (s.expiresAtMs > nowMs && s.lastSeenAtMs + idleTimeoutMs > nowMs) n++;
      return n;
    },
  };
}

const matches = (e: AuditEvent, f: AuditFilter): boolean =>
  (f.userId === undefined || e.userId === f.userId) &&
  (f.type === undefined || e.type === f.type) &&
  (f.ip === undefined || e.ip === f.ip) &&
  (f.fromMs === undefined || e.atMs >= f.fromMs) &&
  (f.toMs === undefined || e.atMs < f.toMs);

const isAfter = (e: AuditEvent, c: AuditCursor): boolean => e.atMs < c.atMs || (e.atMs === c.atMs && e.id > c.id);

export function memoryAuditSearch(db: MemoryDb): AuditSearch {
  return {
    async page(filter, { after, limit }) {
      return db.tables.audit
        .filter((e) => matches(e, filter) && (after === undefined || isAfter(e, after)))
        .sort((a, b) => b.atMs - a.atMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit)
        .map((e) => ({ ...e }));
    },
    async countByType(types, sinceMs) {
      const counts = Object.fromEntries(types.map((t) => [t, 0]));
      for (const e of db.tables.audit) if (e.atMs >= sinceMs && e.type in counts) counts[e.type] = (counts[e.type] ?? 0) + 1;
      return counts;
    },
  };
}

export function memoryThrottleCensus(db: MemoryDb): ThrottleCensus {
  return {
    async counters({ keyPrefix, minFailures, sinceMs, limit }) {
      return [...db.tables.throttle]
        .filter(([key, s]) => key.startsWith(keyPrefix) && s.failures >= minFailures && s.lastFailureAtMs >= sinceMs)
        .slice(0, limit)
        .map(([, s]) => ({ ...s }));
    },
  };
}
