import type { AuditStore } from '../../../core/ports.ts';
import { toAudit, type Db } from '../rows.ts';

/** The audit trail over kysely. */
export function sqlAudit(db: Db): AuditStore {
  return {
    async append(event) {
      await db
        .insertInto('audit')
        .values({
          id: event.id,
          at_ms: event.atMs,
          type: event.type,
          user_id: event.userId,
          email: event.email,
          ip: event.ip,
          user_agent: event.userAgent,
          detail: event.detail,
        })
        .execute();
    },
    async list({ limit, userId }) {
      let query = db.selectFrom('audit').selectAll().orderBy('at_ms', 'desc').orderBy('id').limit(limit);
      if (userId !== undefined) query = query.where('user_id', '=', userId);
      return (await query.execute()).map(toAudit);
    },
  };
}
