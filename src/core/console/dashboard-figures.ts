import type { CoreDeps } from '../deps.ts';
import type { DeliveryState } from '../ports.ts';
import { remainingLockMs } from '../throttle/throttle.ts';

const dayMs = 86_400_000;
/** Counted up to this many; the dashboard then says "at least". */
export const lockedAccountsCap = 10_000;

/** What the console's dashboard shows. */
export interface DashboardFigures {
  users: number;
  activeSessions: number;
  /** Over the last 24 hours. */
  loginsSucceeded: number;
  loginsFailed: number;
  /** Accounts whose login is waiting out a lockout now (from the failure counters: Redis when configured, else the database). */
  lockedAccounts: number;
  /** The durable outbox, per kind that has one (`webhook`, `backchannel_logout`). */
  deliveries: Record<string, Record<DeliveryState, number>>;
}

/** Reads the dashboard's figures; every one is a count the store makes, never a list loaded whole. */
export async function dashboardFigures(deps: Pick<CoreDeps, 'store' | 'clock' | 'sessionPolicy' | 'throttle'>, deliveryKinds: readonly string[] = ['webhook', 'backchannel_logout']): Promise<DashboardFigures> {
  const nowMs = deps.clock.nowMs();
  const rule = deps.throttle.rules.account;
  const logins = await deps.store.auditSearch.countByType(['login.succeeded', 'login.failed'], nowMs - dayMs);
  const counters = await deps.store.throttleCensus.counters({ keyPrefix: 'account:', minFailures: rule.freeFailures, sinceMs: nowMs - rule.resetAfterMs, limit: lockedAccountsCap });
  const deliveries: DashboardFigures['deliveries'] = {};
  for (const kind of deliveryKinds) deliveries[kind] = await deps.store.deliveries.countByState(kind);
  return {
    users: await deps.store.userDirectory.count(),
    activeSessions: await deps.store.sessionCensus.countActive(nowMs, deps.sessionPolicy.idleTimeoutMs),
    loginsSucceeded: logins['login.succeeded'] ?? 0,
    loginsFailed: logins['login.failed'] ?? 0,
    lockedAccounts: counters.filter((c) => remainingLockMs(c, rule, nowMs) > 0).length,
    deliveries,
  };
}
