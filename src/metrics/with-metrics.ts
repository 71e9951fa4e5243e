import type { AuditEvent, Store } from '../core/ports.ts';
import { overlayStore, wrapRepositories, type RepositoryWrappers } from '../core/lazy-store.ts';
import type { Metrics } from './metrics.ts';

/** A login method as a bounded label: `password + totp` -> `password+totp`, `passkey hwk user mfa` -> `passkey`. */
export function methodLabel(detail: string | null): string {
  if (detail === null) return 'unknown';
  if (/^oauth /.test(detail)) return 'oauth';
  const method = /\(([^)]+)\)\s*$/.exec(detail)?.[1] ?? 'unknown';
  if (method.startsWith('passkey')) return 'passkey';
  return method.replace(/\s*\+\s*/g, '+').replace(/[^a-z_+]/g, '').slice(0, 40) || 'unknown';
}

/** Counts what the audit entry says about logins and second factors. */
function count(metrics: Metrics, event: AuditEvent): void {
  switch (event.type) {
    case 'login.succeeded': {
      const method = methodLabel(event.detail);
      metrics.logins.inc({ method, result: 'success' });
      for (const factor of ['totp', 'recovery_code'] as const) if (method.includes(`+${factor}`)) metrics.secondFactor.inc({ factor, result: 'success' });
      return;
    }
    case 'login.failed':
      metrics.logins.inc({ method: 'password', result: 'failure' });
      return;
    case 'oauth.login_failed':
      metrics.logins.inc({ method: 'oauth', result: 'failure' });
      return;
    case 'login.second_factor_required':
      metrics.logins.inc({ method: 'password', result: 'second_factor_required' });
      return;
    case 'second_factor.failed':
      metrics.secondFactor.inc({ factor: event.detail === 'recovery_code' ? 'recovery_code' : 'totp', result: 'failure' });
      return;
    case 'email_code.failed':
      metrics.secondFactor.inc({ factor: 'email_code', result: 'failure' });
      return;
    case 'passkey.used':
      metrics.secondFactor.inc({ factor: 'passkey', result: 'success' });
      return;
    case 'passkey.failed':
      metrics.secondFactor.inc({ factor: 'passkey', result: 'failure' });
      return;
    default:
      return;
  }
}

/**
 * The store, counting logins and second-factor results from the audit entries as they are
 * written: every way to log in audits, so none is missed. Only applied when metrics are on.
 */
export function withMetrics(store: Store, metrics: Metrics): Store {
  const counting: RepositoryWrappers = {
    audit: (audit) => ({
      ...audit,
      async append(event: AuditEvent) {
        await audit.append(event);
        count(metrics, event);
      },
    }),
  };
  const inTransaction = (tx: Store): Store => {
    const counted = overlayStore(tx, counting, (work) => work(counted));
    return counted;
  };
  return { ...store, ...wrapRepositories(store, counting), transaction: (work) => store.transaction((tx) => work(inTransaction(tx))) };
}
