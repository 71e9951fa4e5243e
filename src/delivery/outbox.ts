import type { Logger } from 'pino';
import type { GatehouseConfig } from '../config/load-config.ts';
import { deliverDue, type DeliveryKind, type DeliverySender } from '../core/delivery/deliver-due.ts';
import { defaultRetryPolicy } from '../core/delivery/retry-schedule.ts';
import type { Clock, DeliveryStore, Random } from '../core/ports.ts';
import { startDeliveryWorker, type DeliveryWorker } from './delivery-worker.ts';
import { createHttpSender } from './http-sender.ts';

/** A receiver's answer is read up to this size: enough for any status page, never a memory risk. */
export const maxResponseBytes = 64 * 1024;

/** The running outbox of one process: the kinds it sends, its sender, its worker. */
export interface Outbox {
  /** Each kind's signing and outcome callbacks, by kind name; register a kind before its first enqueue. */
  kinds: Map<string, DeliveryKind>;
  sender: DeliverySender;
  worker: DeliveryWorker;
}

export interface OutboxParts {
  config: Pick<GatehouseConfig, 'dev' | 'delivery'>;
  deliveries: DeliveryStore;
  clock: Clock;
  random: Random;
  logger: Pick<Logger, 'warn'>;
  /** Overrides for tests: the sender, and how often an idle worker looks for due deliveries. */
  sender?: DeliverySender;
  pollIntervalMs?: number;
}

const batchSize = 32;

/**
 * Starts the outbox (src/main.ts does, in every instance). Dev mode allows loopback targets,
 * so a webhook receiver on the developer's machine works without configuration.
 */
export function startOutbox(parts: OutboxParts): Outbox {
  const { config } = parts;
  const allowedNetworks = config.dev ? ['loopback', ...config.delivery.allowedNetworks] : config.delivery.allowedNetworks;
  const sender = parts.sender ?? createHttpSender({ timeoutMs: config.delivery.timeoutMs, maxResponseBytes, allowedNetworks });
  const kinds = new Map<string, DeliveryKind>();
  const retry = { ...defaultRetryPolicy, baseDelayMs: config.delivery.retryBaseDelayMs };
  const worker = startDeliveryWorker({
    batchSize,
    pollIntervalMs: parts.pollIntervalMs ?? 1000,
    pass: () =>
      deliverDue({
        deliveries: parts.deliveries,
        clock: parts.clock,
        random: parts.random,
        sender,
        kinds,
        retry,
        // Longer than any attempt can take, so a live attempt is never claimed by a second worker.
        leaseMs: config.delivery.timeoutMs + 30_000,
        batchSize,
        onError: (error, delivery) => parts.logger.warn({ err: error, delivery: delivery.id, kind: delivery.kind }, 'a delivery callback failed'),
      }),
    onError: (error) => parts.logger.warn({ err: error }, 'the delivery worker could not reach the store; it tries again'),
  });
  return { kinds, sender, worker };
}
