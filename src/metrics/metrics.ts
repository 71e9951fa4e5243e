import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the gauges read when Prometheus scrapes (never on a request's path). */
export interface MetricSources {
  activeSessions(): Promise<number>;
  webhookBacklog(): Promise<{ pending: number; dead: number }>;
}

/**
 * Every metric Gatehouse exposes at GET /metrics (docs/configuration.md GATEHOUSE_METRICS_TOKEN),
 * in a registry of its own (not prom-client's global one, so two servers in one test process do
 * not mix). Labels take only bounded values: route patterns, never raw URLs; methods, results
 * and reasons from fixed lists; never a user, an email or an IP (docs/security.md SEC-297).
 */
export function createMetrics(sources: MetricSources) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    httpDuration: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status, with their duration.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    logins: new Counter({ name: 'gatehouse_logins_total', help: 'Login attempts by method and result.', labelNames: ['method', 'result'] as const, registers: [registry] }),
    secondFactor: new Counter({ name: 'gatehouse_second_factor_total', help: 'Second-factor checks by factor and result.', labelNames: ['factor', 'result'] as const, registers: [registry] }),
    tokenGrants: new Counter({ name: 'gatehouse_token_grants_total', help: 'Token endpoint requests by grant type and result.', labelNames: ['grant_type', 'result'] as const, registers: [registry] }),
    throttleLockouts: new Counter({ name: 'gatehouse_throttle_lockouts_total', help: 'Requests refused by the throttle (429), by route pattern.', labelNames: ['route'] as const, registers: [registry] }),
    mail: new Counter({ name: 'gatehouse_mail_total', help: 'Mail deliveries by kind and result (sent, failed: a failed attempt, given_up).', labelNames: ['kind', 'result'] as const, registers: [registry] }),
    webhookDeliveries: new Counter({ name: 'gatehouse_webhook_deliveries_total', help: 'Webhook delivery attempts by result (delivered, retry, dead).', labelNames: ['result'] as const, registers: [registry] }),
  };
  new Gauge({
    name: 'gatehouse_active_sessions',
    help: 'Sessions neither expired nor idle past the idle timeout.',
    registers: [registry],
    async collect() {
      this.set(await sources.activeSessions());
    },
  });
  new Gauge({
    name: 'gatehouse_webhook_backlog',
    help: 'Webhook deliveries waiting (pending) and given up on (dead).',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const backlog = await sources.webhookBacklog();
      this.set({ state: 'pending' }, backlog.pending);
      this.set({ state: 'dead' }, backlog.dead);
    },
  });
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
