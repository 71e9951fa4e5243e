import { randomId } from '../sessions/session-token.ts';
import type { AuditEvent, Clock, Random, Revocation, SessionStore, Store, WebhookEndpoint } from '../ports.ts';
import { clearingOnWrites } from '../clearing-on-writes.ts';
import { overlayStore, wrapRepositories, type RepositoryWrappers } from '../lazy-store.ts';
import { sessionEndedEvent, webhookEventFromAudit, webhookPayload, type WebhookEvent, type WebhookEventType } from './webhook-events.ts';

/** The delivery kind of webhooks in the outbox. */
export const webhookKind = 'webhook';

/**
 * How long this process reuses the list of webhook endpoints for new events: the bound on how
 * late an endpoint added, changed or removed by another process (another instance, the CLI) is
 * seen. Every write to an endpoint through this store clears the list at once.
 */
export const endpointListTtlMs = 1000;

/** The endpoints an event may go to, read on the transaction's store `tx`. */
type Subscribers = (tx: Store) => Promise<readonly WebhookEndpoint[]>;

// Endpoint methods that change nothing an event's fan-out reads (the failure state). Every other
// method, including any added later, clears the list: an unknown write is assumed to matter.
const keepsSubscribers: ReadonlySet<string> = new Set(['findById', 'list', 'recordAttempt']);

/**
 * One pending delivery per endpoint subscribed to `type`, on the transaction's store. The event
 * is built only when someone listens (a session's user is looked up only then).
 */
async function enqueue(tx: Store, subscribers: Subscribers, random: Random, type: WebhookEventType, build: () => Promise<WebhookEvent | null>): Promise<void> {
  const endpoints = (await subscribers(tx)).filter((e) => e.events.includes(type));
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
export function withWebhookEvents(store: Store, random: Random, clock: Clock): Store {
  // The endpoint list, read by every event with a webhook type (each login): kept for
  // endpointListTtlMs, cleared by every write to an endpoint through this store, before and after
  // it and again when its transaction ends. A list is kept only if no write cleared it while it
  // was read, and never from a transaction that wrote an endpoint (it sees rows not committed).
  let kept: { endpoints: readonly WebhookEndpoint[]; expiresAtMs: number } | null = null;
  let generation = 0;
  const clear = (): void => {
    kept = null;
    generation++;
  };
  const subscribersFor =
    (wroteEndpoints: () => boolean): Subscribers =>
    async (tx) => {
      if (wroteEndpoints()) return tx.webhookEndpoints.list();
      const nowMs = clock.nowMs();
      if (kept !== null && kept.expiresAtMs > nowMs) return kept.endpoints;
      const startedAt = generation;
      const endpoints = await tx.webhookEndpoints.list();
      if (startedAt === generation && !wroteEndpoints()) kept = { endpoints, expiresAtMs: nowMs + endpointListTtlMs };
      return endpoints;
    };
  /** The repositories that write webhooks, over `inner` (the store opened, or one transaction's). */
  const wrappers = (inner: Store, inTransaction: boolean, onEndpointWrite: () => void, subscribers: Subscribers): RepositoryWrappers => {
    // A session's user, noted as its row is deleted in this transaction: its revocation comes next
    // (core/sessions/end-sessions.ts), when the row is gone, and session.ended names the user.
    const endedSessionUsers = new Map<string, string>();
    /** `write`, then its webhooks, all or nothing. */
    const together = (work: (tx: Store) => Promise<void>): Promise<void> => (inTransaction ? work(inner) : inner.transaction(work));
    return {
      webhookEndpoints: (endpoints) => clearingOnWrites(endpoints, keepsSubscribers, onEndpointWrite),
      audit: (audit) => ({
        ...audit,
        append(event: AuditEvent): Promise<void> {
          const hook = webhookEventFromAudit(event);
          if (hook === null) return audit.append(event);
          return together(async (tx) => {
            await tx.audit.append(event);
            await enqueue(tx, subscribers, random, hook.type, async () => hook);
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
            await enqueue(tx, subscribers, random, 'session.ended', async () => sessionEndedEvent(entry, await userId()));
            await tx.revocations.append(entry);
          });
        },
      }),
    };
  };
  // A transaction's store is layered over the transaction's, building a repository only when used.
  const transaction = <T>(work: (tx: Store) => Promise<T>): Promise<T> => {
    let wrote = false;
    const onEndpointWrite = (): void => {
      wrote = true;
      clear();
    };
    const subscribers = subscribersFor(() => wrote);
    return store
      .transaction((tx) => {
        const decorated = overlayStore(tx, wrappers(tx, true, onEndpointWrite, subscribers), (inner) => inner(decorated));
        return work(decorated);
      })
      .finally(() => {
        // Committed or rolled back, the list read before is stale.
        if (wrote) clear();
      });
  };
  return { ...store, ...wrapRepositories(store, wrappers(store, false, clear, subscribersFor(() => false))), transaction };
}
