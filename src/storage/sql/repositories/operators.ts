import type { ConsoleActivityStore, OperatorStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';

/** The operator flag: the users.operator_since_ms column. */
export function sqlOperators(db: Db): OperatorStore {
  return {
    async setOperatorSince(userId, sinceMs) {
      // coalesce: granting again keeps the first grant's time.
      const result = await db
        .updateTable('users')
        .set((eb) => ({ operator_since_ms: sinceMs === null ? null : eb.fn.coalesce('operator_since_ms', eb.val(sinceMs)) }))
        .where('id', '=', userId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async operatorSince(userId) {
      const row = await db.selectFrom('users').select('operator_since_ms').where('id', '=', userId).executeTakeFirst();
      return row === undefined ? null : msOrNull(row.operator_since_ms);
    },
    async list() {
      const rows = await db.selectFrom('users').select(['id', 'email', 'operator_since_ms']).where('operator_since_ms', 'is not', null).orderBy('email').execute();
      return rows.map((r) => ({ userId: r.id, email: r.email, sinceMs: ms(r.operator_since_ms) }));
    },
  };
}

/** Each session's last console request: the sessions.console_seen_at_ms column. */
export function sqlConsoleActivity(db: Db): ConsoleActivityStore {
  return {
    async lastUse(sessionId) {
      const row = await db.selectFrom('sessions').select('console_seen_at_ms').where('id', '=', sessionId).executeTakeFirst();
      return row === undefined ? null : msOrNull(row.console_seen_at_ms);
    },
    async recordUse(sessionId, atMs) {
      await db.updateTable('sessions').set({ console_seen_at_ms: atMs }).where('id', '=', sessionId).execute();
    },
  };
}
