import type { GatehouseConfig } from '../config/load-config.ts';
import type { Clock, DeliveryOutcome, Store } from '../core/ports.ts';
import type { MailObserver } from '../mail/create-mailer.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { withMetrics } from './with-metrics.ts';

/** The metrics of one server, their gauges read from `store` at scrape time. */
export function createGatehouseMetrics(config: Pick<GatehouseConfig, 'session'>, store: Store, clock: Clock): Metrics {
  const idleTimeoutMs = config.session.idleTimeoutSeconds * 1000;
  return createMetrics({
    activeSessions: () => store.sessionCensus.countActive(clock.nowMs(), idleTimeoutMs),
    webhookBacklog: () => store.deliveries.countByState('webhook'),
  });
}

export function mailObserver(metrics: Metrics): MailObserver {
  return {
    sent: (kind) => metrics.mail.inc({ kind, result: 'sent' }),
    failed: (kind, final) => metrics.mail.inc({ kind, result: final ? 'given_up' : 'failed' }),
  };
}

/**
 * Everything src/main.ts wires when metrics are on: the metrics, the store counting logins
 * (with-metrics.ts), the mail observer and the webhook outcome counter.
 */
export function meter(config: Pick<GatehouseConfig, 'session'>, store: Store, clock: Clock) {
  const metrics = createGatehouseMetrics(config, store, clock);
  return {
    metrics,
    store: withMetrics(store, metrics),
    mail: mailObserver(metrics),
    webhookOutcome: (outcome: DeliveryOutcome): void => metrics.webhookDeliveries.inc({ result: outcome.state === 'pending' ? 'retry' : outcome.state }),
  };
}
