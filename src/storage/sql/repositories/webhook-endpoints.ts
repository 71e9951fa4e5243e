import type { Selectable } from 'kysely';
import type { WebhookEndpoint, WebhookEndpointStore } from '../../../core/ports.ts';
import { ms, msOrNull, type Db } from '../rows.ts';
import type { WebhookEndpointsTable } from '../schema.ts';

function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events === '' ? [] : row.events.split(' '),
    secretJwe: row.secret_jwe,
    createdAtMs: ms(row.created_at_ms),
    consecutiveFailures: Number(row.consecutive_failures),
    lastSuccessAtMs: msOrNull(row.last_success_at_ms),
    lastFailureAtMs: msOrNull(row.last_failure_at_ms),
    lastError: row.last_error,
  };
}

/** Webhook endpoints over kysely. */
export function sqlWebhookEndpoints(db: Db): WebhookEndpointStore {
  return {
    async create(e) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: e.id,
          url: e.url,
          events: e.events.join(' '),
          secret_jwe: e.secretJwe,
          created_at_ms: e.createdAtMs,
          consecutive_failures: e.consecutiveFailures,
          last_success_at_ms: e.lastSuccessAtMs,
          last_failure_at_ms: e.lastFailureAtMs,
          last_error: e.lastError,
        })
        .execute();
    },
    async findById(id) {
      const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toEndpoint(row);
    },
    async list() {
      return (await db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at_ms').orderBy('id').execute()).map(toEndpoint);
    },
    async delete(id) {
      const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    async setSecret(id, secretJwe) {
      const result = await db.updateTable('webhook_endpoints').set({ secret_jwe: secretJwe }).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async recordAttempt(id, { ok, atMs, error }) {
      await db
        .updateTable('webhook_endpoints')
        .set((eb) =>
          ok
            ? { consecutive_failures: 0, last_success_at_ms: atMs }
            : { consecutive_failures: eb('consecutive_failures', '+', 1), last_failure_at_ms: atMs, last_error: error },
        )
        .where('id', '=', id)
        .execute();
    },
  };
}
