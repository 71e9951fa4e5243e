import type { Delivery, DeliveryState, DeliveryStore } from '../../core/ports.ts';
import { deleteWhere, findCopy, insertRow, type MemoryDb } from './tables.ts';

type Row = Delivery & { leaseToken: string | null };

function copy(row: Row): Delivery {
  const { leaseToken: _lease, ...delivery } = row;
  return { ...delivery };
}

export function memoryDeliveries(db: MemoryDb): DeliveryStore {
  return {
    async enqueue(d) {
      insertRow(
        db.tables.deliveries,
        d.id,
        { ...d, state: 'pending', attempts: 0, leaseToken: null, lastAttemptAtMs: null, lastStatus: null, lastError: null, completedAtMs: null, retriedAtMs: null },
        { duplicate: `delivery ${d.id} exists` },
      );
    },
    async claimDue({ kinds, nowMs, leaseUntilMs, leaseToken, limit }) {
      const due = [...db.tables.deliveries.values()]
        .filter((d) => d.state === 'pending' && d.nextAttemptAtMs <= nowMs && kinds.includes(d.kind))
        .sort((a, b) => a.nextAttemptAtMs - b.nextAttemptAtMs)
        .slice(0, limit);
      for (const d of due) {
        d.leaseToken = leaseToken;
        d.nextAttemptAtMs = leaseUntilMs;
        d.attempts += 1;
        d.lastAttemptAtMs = nowMs;
      }
      return due.map(copy).sort((a, b) => a.createdAtMs - b.createdAtMs);
    },
    async complete(id, leaseToken, outcome) {
      const d = db.tables.deliveries.get(id);
      if (d === undefined || d.leaseToken !== leaseToken || d.state !== 'pending') return false;
      db.tables.deliveries.set(id, {
        ...d,
        state: outcome.state,
        nextAttemptAtMs: outcome.nextAttemptAtMs,
        lastStatus: outcome.lastStatus,
        lastError: outcome.lastError,
        leaseToken: null,
        completedAtMs: outcome.state === 'pending' ? null : outcome.atMs,
      });
      return true;
    },
    async find(id) {
      return findCopy(db.tables.deliveries, id, (row) => copy(row) as Row);
    },
    async list({ limit, state, kind, subject }) {
      return [...db.tables.deliveries.values()]
        .filter((d) => (state === undefined || d.state === state) && (kind === undefined || d.kind === kind) && (subject === undefined || d.subject === subject))
        .sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit)
        .map(copy);
    },
    async retry(id, nowMs) {
      const d = db.tables.deliveries.get(id);
      if (d === undefined || d.state !== 'dead') return false;
      db.tables.deliveries.set(id, { ...d, state: 'pending', attempts: 0, retriedAtMs: nowMs, nextAttemptAtMs: nowMs, leaseToken: null, completedAtMs: null });
      return true;
    },
    async countByState(kind) {
      const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, dead: 0 };
      for (const d of db.tables.deliveries.values()) if (kind === undefined || d.kind === kind) counts[d.state] += 1;
      return counts;
    },
    async deleteCompletedBefore(beforeMs) {
      return deleteWhere(db.tables.deliveries, (d) => d.state !== 'pending' && d.completedAtMs !== null && d.completedAtMs < beforeMs);
    },
  };
}
