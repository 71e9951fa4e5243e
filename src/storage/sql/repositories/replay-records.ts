import type { ReplayRecordStore } from '../../../core/ports.ts';
import type { Db } from '../rows.ts';

/**
 * Single-use proof records over kysely. One INSERT ... ON CONFLICT DO NOTHING decides: of two
 * instances presented the same proof at once, exactly one inserts the row and the other is told
 * `seen`, with no read-then-write window between them.
 */
export function sqlReplayRecords(db: Db): ReplayRecordStore {
  return {
    async remember(key, expiresAtMs) {
      const result = await db
        .insertInto('replay_records')
        .values({ key, expires_at_ms: expiresAtMs })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      return result === undefined ? 'seen' : 'new';
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('replay_records').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
