import { randomId } from '../sessions/session-token.ts';
import type { Clock, Random } from '../ports.ts';
import type { Delivery, DeliveryOutcome, DeliveryStore } from './ports.ts';
import { nextAttemptAt, type RetryPolicy } from './retry-schedule.ts';

/** One HTTP POST, as the sender makes it. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What came back: a 2xx is `ok`; anything else (a status, a refusal, a timeout) is a failure to retry. */
export type SendResult = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** Sends one request (src/delivery/http-sender.ts: SSRF-safe, with a timeout and no redirects). */
export interface DeliverySender {
  send(request: OutgoingRequest): Promise<SendResult>;
}

/**
 * What a kind of delivery adds to the generic outbox. `prepare` runs before each attempt: it
 * signs (headers for this attempt's time, with the delivery's stable id) and may answer null
 * when the target is gone (a removed webhook endpoint), which ends the delivery as dead.
 */
export interface DeliveryKind {
  contentType: string;
  prepare(delivery: Delivery, atMs: number): Promise<Record<string, string> | null>;
  /**
   * The body of this attempt, for a kind that signs its body afresh each time (back-channel
   * logout: a short-lived logout token must not expire between retries). Without it the stored
   * payload is sent as it is.
   */
  body?(delivery: Delivery, atMs: number): Promise<string>;
  /** Told after each attempt: per-target failure state, metrics, audit. Its errors are reported, never retried. */
  onOutcome?(delivery: Delivery, outcome: DeliveryOutcome): Promise<void>;
}

export interface DeliverDeps {
  deliveries: DeliveryStore;
  clock: Clock;
  random: Random;
  sender: DeliverySender;
  kinds: ReadonlyMap<string, DeliveryKind>;
  retry: RetryPolicy;
  /** How long a claim holds: longer than the sender's timeout, so a live attempt is never claimed twice. */
  leaseMs: number;
  batchSize: number;
  /** Told when a kind's callback throws. */
  onError?: (error: unknown, delivery: Delivery) => void;
}

function outcomeOf(deps: DeliverDeps, delivery: Delivery, result: SendResult | 'target_removed', atMs: number): DeliveryOutcome {
  if (result === 'target_removed') return { state: 'dead', atMs, nextAttemptAtMs: atMs, lastStatus: null, lastError: 'target_removed' };
  if (result.ok) return { state: 'delivered', atMs, nextAttemptAtMs: atMs, lastStatus: result.status, lastError: null };
  const next = nextAttemptAt(deps.retry, deps.random, delivery, atMs);
  return next === null
    ? { state: 'dead', atMs, nextAttemptAtMs: atMs, lastStatus: result.status, lastError: result.error }
    : { state: 'pending', atMs, nextAttemptAtMs: next, lastStatus: result.status, lastError: result.error };
}

async function attempt(deps: DeliverDeps, delivery: Delivery, leaseToken: string): Promise<void> {
  const kind = deps.kinds.get(delivery.kind) as DeliveryKind;
  let result: SendResult | 'target_removed';
  try {
    const atMs = deps.clock.nowMs();
    const headers = await kind.prepare(delivery, atMs);
    result =
      headers === null
        ? 'target_removed'
        : await deps.sender.send({ url: delivery.targetUrl, headers: { 'content-type': kind.contentType, ...headers }, body: kind.body === undefined ? delivery.payload : await kind.body(delivery, atMs) });
  } catch (error) {
    deps.onError?.(error, delivery);
    result = { ok: false, status: null, error: 'internal_error' };
  }
  await finish(deps, delivery, leaseToken, outcomeOf(deps, delivery, result, deps.clock.nowMs()), kind);
}

async function finish(deps: DeliverDeps, delivery: Delivery, leaseToken: string, outcome: DeliveryOutcome, kind: DeliveryKind): Promise<void> {
  // A claim that expired meanwhile belongs to another worker now: its attempt is the one recorded.
  if (!(await deps.deliveries.complete(delivery.id, leaseToken, outcome))) return;
  try {
    await kind.onOutcome?.(delivery, outcome);
  } catch (error) {
    deps.onError?.(error, delivery);
  }
}

/**
 * One pass of the delivery worker: claims the deliveries that are due (of the kinds this
 * process can send), attempts each once, concurrently, and records the outcome: delivered, or
 * pending again after a backoff, or dead once the retry window is over. Returns how many it
 * claimed, so the worker runs again at once when the batch was full.
 */
export async function deliverDue(deps: DeliverDeps): Promise<number> {
  if (deps.kinds.size === 0) return 0;
  const nowMs = deps.clock.nowMs();
  const leaseToken = randomId(deps.random);
  const claimed = await deps.deliveries.claimDue({ kinds: [...deps.kinds.keys()], nowMs, leaseUntilMs: nowMs + deps.leaseMs, leaseToken, limit: deps.batchSize });
  await Promise.all(claimed.map((delivery) => attempt(deps, delivery, leaseToken)));
  return claimed.length;
}
