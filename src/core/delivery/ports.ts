/**
 * The storage port of the durable outbox: deliveries to other servers (webhooks, back-channel
 * logout tokens) written in the same transaction as the change that causes them, then sent by
 * the delivery worker (core/delivery/deliver-due.ts) until they succeed or give up.
 */

/** `pending` until an attempt succeeds (`delivered`) or the retry window closes (`dead`). */
export type DeliveryState = 'pending' | 'delivered' | 'dead';

/** What the caller writes: the rest (state, attempts, lease) is the store's. */
export interface NewDelivery {
  /** Stable across retries: a receiver deduplicates on it (the webhook-id). */
  id: string;
  /** Which registered kind sends it (`webhook`, `backchannel_logout`, ...): its signing and outcome callbacks. */
  kind: string;
  targetUrl: string;
  /** The request body, exactly as sent (JSON or form text), or what a kind with `body()` builds it from (deliver-due.ts); never a secret of ours. */
  payload: string;
  /** What the kind delivers for (a webhook endpoint id, a client id), for its signing key and failure state. */
  subject: string | null;
  createdAtMs: number;
  /** Due at: usually `createdAtMs`. */
  nextAttemptAtMs: number;
}

export interface Delivery extends NewDelivery {
  state: DeliveryState;
  /** Attempts started so far (a claim counts one, so a crash mid-send is counted too). */
  attempts: number;
  lastAttemptAtMs: number | null;
  /** The receiver's HTTP status of the last attempt, null when none came back. */
  lastStatus: number | null;
  /** Why the last attempt failed (a short reason, never the response body). */
  lastError: string | null;
  /** When it was delivered or given up on. */
  completedAtMs: number | null;
  /** When an operator last sent it back to pending (`retry`): the retry window starts again there. */
  retriedAtMs: number | null;
}

/** The result of one attempt, recorded by `complete`. */
export interface DeliveryOutcome {
  state: DeliveryState;
  atMs: number;
  /** For `pending`: when to try again. */
  nextAttemptAtMs: number;
  lastStatus: number | null;
  lastError: string | null;
}

export interface DeliveryStore {
  /** Writes a pending delivery. Call it on the transaction's store so it commits with the event. */
  enqueue(delivery: NewDelivery): Promise<void>;
  /**
   * Claims up to `limit` pending deliveries of `kinds` that are due at `nowMs`: each gets
   * `leaseToken`, one more attempt, and becomes due again only at `leaseUntilMs` (so a worker
   * that dies mid-send leaves it to be retried, never lost). Compare-and-set: when several
   * workers claim at once, each delivery goes to one of them.
   */
  claimDue(options: { kinds: readonly string[]; nowMs: number; leaseUntilMs: number; leaseToken: string; limit: number }): Promise<Delivery[]>;
  /** Records an attempt's outcome, only while the claim is still `leaseToken`'s; false when it is not. */
  complete(id: string, leaseToken: string, outcome: DeliveryOutcome): Promise<boolean>;
  find(id: string): Promise<Delivery | null>;
  /** Newest first. */
  list(options: { limit: number; state?: DeliveryState; kind?: string; subject?: string }): Promise<Delivery[]>;
  /** A dead delivery back to pending, due at `nowMs`, with the same id; false when it is not dead. */
  retry(id: string, nowMs: number): Promise<boolean>;
  /** How many deliveries are in each state (of one kind, when given). */
  countByState(kind?: string): Promise<Record<DeliveryState, number>>;
  /** Housekeeping: forgets delivered and dead deliveries completed before `beforeMs`. */
  deleteCompletedBefore(beforeMs: number): Promise<number>;
}
