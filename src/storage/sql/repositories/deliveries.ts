import type { Selectable } from 'kysely';
import type { Delivery, DeliveryState, DeliveryStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';
import type { DeliveriesTable } from '../schema.ts';

function toDelivery(row: Selectable<DeliveriesTable>): Delivery {
  return {
    id: row.id,
    kind: row.kind,
    targetUrl: row.target_url,
    payload: row.payload,
    subject: row.subject,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    nextAttemptAtMs: ms(row.next_attempt_at_ms),
    lastAttemptAtMs: msOrNull(row.last_attempt_at_ms),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAtMs: ms(row.created_at_ms),
    completedAtMs: msOrNull(row.completed_at_ms),
    retriedAtMs: msOrNull(row.retried_at_ms),
  };
}

/** The durable outbox over kysely. */
export function sqlDeliveries(db: Db): DeliveryStore {
  return {
    async enqueue(d) {
      await db
        .insertInto('deliveries')
        .values({
          id: d.id,
          kind: d.kind,
          target_url: d.targetUrl,
          payload: d.payload,
          subject: d.subject,
          state: 'pending',
          attempts: 0,
          next_attempt_at_ms: d.nextAttemptAtMs,
          lease_token: null,
          last_attempt_at_ms: null,
          last_status: null,
          last_error: null,
          created_at_ms: d.createdAtMs,
          completed_at_ms: null,
          retried_at_ms: null,
        })
        .execute();
    },
    async claimDue({ kinds, nowMs, leaseUntilMs, leaseToken, limit }) {
      if (kinds.length === 0) return [];
      // One statement: the WHERE is checked again on each row as it is updated (PostgreSQL
      // re-reads a row another transaction changed meanwhile; SQLite has one writer), so a row
      // that another worker has just claimed, and so moved into the future, is skipped.
      const rows = await db
        .updateTable('deliveries')
        .set((eb) => ({ lease_token: leaseToken, next_attempt_at_ms: leaseUntilMs, attempts: eb('attempts', '+', 1), last_attempt_at_ms: nowMs }))
        .where('id', 'in', (eb) =>
          eb
            .selectFrom('deliveries')
            .select('id')
            .where('state', '=', 'pending')
            .where('next_attempt_at_ms', '<=', nowMs)
            .where('kind', 'in', [...kinds])
            .orderBy('next_attempt_at_ms')
            .limit(limit),
        )
        .where('state', '=', 'pending')
        .where('next_attempt_at_ms', '<=', nowMs)
        .returningAll()
        .execute();
      return rows.map(toDelivery).sort((a, b) => a.createdAtMs - b.createdAtMs);
    },
    async complete(id, leaseToken, outcome) {
      const result = await db
        .updateTable('deliveries')
        .set({
          state: outcome.state,
          next_attempt_at_ms: outcome.nextAttemptAtMs,
          last_status: outcome.lastStatus,
          last_error: outcome.lastError,
          lease_token: null,
          completed_at_ms: outcome.state === 'pending' ? null : outcome.atMs,
        })
        .where('id', '=', id)
        .where('lease_token', '=', leaseToken)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async find(id) {
      const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toDelivery(row);
    },
    async list({ limit, state, kind, subject }) {
      let query = db.selectFrom('deliveries').selectAll().orderBy('created_at_ms', 'desc').orderBy('id').limit(limit);
      if (state !== undefined) query = query.where('state', '=', state);
      if (kind !== undefined) query = query.where('kind', '=', kind);
      if (subject !== undefined) query = query.where('subject', '=', subject);
      return (await query.execute()).map(toDelivery);
    },
    async retry(id, nowMs) {
      const result = await db
        .updateTable('deliveries')
        .set({ state: 'pending', attempts: 0, retried_at_ms: nowMs, next_attempt_at_ms: nowMs, lease_token: null, completed_at_ms: null })
        .where('id', '=', id)
        .where('state', '=', 'dead')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async countByState(kind) {
      let query = db.selectFrom('deliveries').select((eb) => ['state', eb.fn.countAll().as('n')]).groupBy('state');
      if (kind !== undefined) query = query.where('kind', '=', kind);
      const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, dead: 0 };
      for (const row of await query.execute()) counts[row.state as DeliveryState] = Number(row.n);
      return counts;
    },
    async deleteCompletedBefore(beforeMs) {
      const result = await db.deleteFrom('deliveries').where('state', '!=', 'pending').where('completed_at_ms', '<', beforeMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
