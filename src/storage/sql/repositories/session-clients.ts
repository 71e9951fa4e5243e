import type { SessionClientStore } from '../../../core/ports.ts';
import { ms, type Db } from '../rows.ts';

/** Which apps were issued tokens under which session, over kysely. */
export function sqlSessionClients(db: Db): SessionClientStore {
  return {
    async record(entry) {
      await db
        .insertInto('session_clients')
        .values({
          session_id: entry.sessionId,
          client_id: entry.clientId,
          user_id: entry.userId,
          first_issued_at_ms: entry.firstIssuedAtMs,
          last_issued_at_ms: entry.lastIssuedAtMs,
          expires_at_ms: entry.expiresAtMs,
        })
        .onConflict((oc) =>
          oc.columns(['session_id', 'client_id']).doUpdateSet((eb) => ({
            last_issued_at_ms: eb.case().when('session_clients.last_issued_at_ms', '<', entry.lastIssuedAtMs).then(entry.lastIssuedAtMs).else(eb.ref('session_clients.last_issued_at_ms')).end(),
          })),
        )
        .execute();
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
