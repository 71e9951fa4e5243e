import { sql } from 'kysely';
import type { SessionClient, SessionClientStore } from '../../../core/ports.ts';
import { sessionClientRefreshMs } from '../../../core/oauth-provider/ports.ts';
import { ms, type Db } from '../rows.ts';
import type { SessionClientsTable } from '../schema.ts';

export function toSessionClientRow(entry: SessionClient): SessionClientsTable {
  return {
    session_id: entry.sessionId,
    client_id: entry.clientId,
    user_id: entry.userId,
    first_issued_at_ms: entry.firstIssuedAtMs,
    last_issued_at_ms: entry.lastIssuedAtMs,
    expires_at_ms: entry.expiresAtMs,
  };
}

/** The code exchange's statement, which SQLite's fast path also runs (prepared once, sqlite-openid-statements.ts): written once, here. */
export const sessionClientQueries = {
  /**
   * Inserts the pair, or refreshes `last_issued_at_ms` of the row already there when it is
   * `sessionClientRefreshMs` or more older; otherwise the row is left as it is (no write).
   */
  record: (db: Db, row: SessionClientsTable) =>
    db
      .insertInto('session_clients')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['session_id', 'client_id'])
          .doUpdateSet((eb) => ({ last_issued_at_ms: eb.ref('excluded.last_issued_at_ms') }))
          .where('session_clients.last_issued_at_ms', '<=', (eb) => eb(eb.ref('excluded.last_issued_at_ms'), '-', sql.lit(sessionClientRefreshMs))),
      ),
};

/** Which apps were issued tokens under which session, over kysely. */
export function sqlSessionClients(db: Db): SessionClientStore {
  return {
    async record(entry) {
      await sessionClientQueries.record(db, toSessionClientRow(entry)).execute();
    },
    async listClientsForSession(sessionId) {
      const rows = await db.selectFrom('session_clients').selectAll().where('session_id', '=', sessionId).orderBy('first_issued_at_ms').orderBy('client_id').execute();
      return rows.map((row) => ({
        sessionId: row.session_id,
        clientId: row.client_id,
        userId: row.user_id,
        firstIssuedAtMs: ms(row.first_issued_at_ms),
        lastIssuedAtMs: ms(row.last_issued_at_ms),
        expiresAtMs: ms(row.expires_at_ms),
      }));
    },
    async deleteExpired(nowMs) {
      const result = await db.deleteFrom('session_clients').where('expires_at_ms', '<=', nowMs).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
