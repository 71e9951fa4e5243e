import { randomId } from '../sessions/session-token.ts';
import type { AuditEvent, Random, Revocation, SessionStore, Store } from '../ports.ts';
import { overlayStore, wrapRepositories, type RepositoryWrappers } from '../lazy-store.ts';
import { sessionEndedEvent, webhookEventFromAudit, webhookPayload, type WebhookEvent, type WebhookEventType } from './webhook-events.ts';

/** The delivery kind of webhooks in the outbox. */
export const webhookKind = 'webhook';

/**
 * One pending delivery per endpoint subscribed to `type`, on the transaction's store. The event
 * is built only when someone listens (a session's user is looked up only then).
 */
async function enqueue(tx: Store, random: Random, type: WebhookEventType, build: () => Promise<WebhookEvent | null>): Promise<void> {
  const endpoints = (await tx.webhookEndpoints.list()).filter((e) => e.events.includes(type));
  if (endpoints.length === 0) return;
  const event = await build();
  if (event === null) return;
  const payload = webhookPayload(event);
  for (const endpoint of endpoints) {
    await tx.deliveries.enqueue({
      // `msg_` as the Standard Webhooks examples name messages; the id is the webhook-id, the same on every retry.
      id: `msg_${randomId(random)}`,
      kind: webhookKind,
      targetUrl: endpoint.url,
      payload,
      subject: endpoint.id,
      createdAtMs: event.atMs,
      nextAttemptAtMs: event.atMs,
    });
  }
}

/**
 * The store, with webhooks written beside the events they report: an audit entry that stands
 * for a webhook event, and the revocation of an ended session, enqueue a delivery for each
 * subscribed endpoint in the same transaction (one is opened when the caller has none), so an
 * event is notified if and only if it is committed. Applied once, where the store is opened
 * (`openStore` in src/main.ts), so the server and the CLI both notify.
 */
export function withWebhookEvents(store: Store, random: Random): Store {
  /** The repositories that write webhooks, over `inner` (the store opened, or one transaction's). */
  const wrappers = (inner: Store, inTransaction: boolean): RepositoryWrappers => {
    // A session's user, noted as its row is deleted in this transaction: its revocation comes next
    // (core/sessions/end-sessions.ts), when the row is gone, and session.ended names the user.
    const endedSessionUsers = new Map<string, string>();
    /** `write`, then its webhooks, all or nothing. */
    const together = (work: (tx: Store) => Promise<void>): Promise<void> => (inTransaction ? work(inner) : inner.transaction(work));
    return {
      audit: (audit) => ({
        ...audit,
        append(event: AuditEvent): Promise<void> {
          const hook = webhookEventFromAudit(event);
          if (hook === null) return audit.append(event);
          return together(async (tx) => {
            await tx.audit.append(event);
            await enqueue(tx, random, hook.type, async () => hook);
          });
        },
      }),
      ...(inTransaction
        ? {
            sessions: (sessions: SessionStore): SessionStore => ({
              ...sessions,
              async delete(id: string) {
                const ending = await sessions.findWithUser(id);
                if (ending !== null) endedSessionUsers.set(id, ending.user.id);
                return sessions.delete(id);
              },
            }),
          }
        : {}),
      revocations: (revocations) => ({
        ...revocations,
        append(entry: Omit<Revocation, 'seq'>): Promise<void> {
          if (entry.sid === null) return revocations.append(entry);
          const sid = entry.sid;
          return together(async (tx) => {
            const userId = async (): Promise<string | null> => endedSessionUsers.get(sid) ?? (await tx.sessions.findWithUser(sid))?.user.id ?? null;
            await enqueue(tx, random, 'session.ended', async () => sessionEndedEvent(entry, await userId()));
            await tx.revocations.append(entry);
          });
        },
      }),
    };
  };
  // A transaction's store is layered over the transaction's, building a repository only when used.
  const inTransaction = (tx: Store): Store => {
    const decorated = overlayStore(tx, wrappers(tx, true), (work) => work(decorated));
    return decorated;
  };
  return { ...store, ...wrapRepositories(store, wrappers(store, false)), transaction: (work) => store.transaction((tx) => work(inTransaction(tx))) };
}
