import type { Insertable } from 'kysely';
import type { AuditEvent, AuditStore } from '../../../core/ports.ts';
import { toAudit, type Db } from '../rows.ts';
import type { AuditTable } from '../schema.ts';

export const auditColumns = ['id', 'at_ms', 'type', 'user_id', 'email', 'ip', 'user_agent', 'detail', 'actor_id'] as const satisfies readonly (keyof AuditTable)[];

export function toAuditRow(event: AuditEvent): AuditTable {
  return { id: event.id, at_ms: event.atMs, type: event.type, user_id: event.userId, email: event.email, ip: event.ip, user_agent: event.userAgent, detail: event.detail, actor_id: event.actorId };
}

/** The queries SQLite's fast paths (sqlite.ts) prepare once. */
export const auditQueries = {
  append: (db: Db, row: Insertable<AuditTable>) => db.insertInto('audit').values(row),
};

/** The audit trail over kysely. */
export function sqlAudit(db: Db): AuditStore {
  return {
    async append(event) {
      await auditQueries.append(db, toAuditRow(event)).execute();
    },
    async list({ limit, userId }) {
      let query = db.selectFrom('audit').selectAll().orderBy('at_ms', 'desc').orderBy('id').limit(limit);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(toAudit);
    },
  };
}
