import type { GatehouseConfig } from '../config/load-config.ts';
import type { Clock, Store } from '../core/ports.ts';
import type { MailObserver } from '../mail/create-mailer.ts';
import { createMetrics, type Metrics } from './metrics.ts';

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
